import Foundation
@testable import Operator
import Shared
import Testing

/// The test API server refuses Events as kube-apiserver does, and what the recorder
/// writes passes: a cluster-scoped mapping's events in default, a note cut to 1,024 bytes.
@Suite(.timeLimit(.minutes(1))) struct EventValidationTests {
    static func event(namespace: String, regardingNamespace: String?, note: String = "n") -> JSONValue {
        var regarding: [String: JSONValue] = ["kind": .string("ClusterSysdigMetricMapping"), "name": .string("m"), "uid": .string("u")]
        if let regardingNamespace { regarding["namespace"] = .string(regardingNamespace) }
        return .object([
            "apiVersion": .string("events.k8s.io/v1"), "kind": .string("Event"),
            "metadata": .object(["name": .string("m.1"), "namespace": .string(namespace)]),
            "eventTime": .string("2024-05-01T12:00:00.000000Z"), "reportingController": .string("metrics.sysdig.com/adapter"),
            "reportingInstance": .string("adapter-0"), "action": .string("Reconcile"), "reason": .string("Serving"),
            "regarding": .object(regarding), "note": .string(note), "type": .string("Normal"),
        ])
    }

    @Test func eventsTheAPIServerRefusesAreRefused() async throws {
        try await withKubeServer { client, _ in
            let elsewhere = await kubeError {
                _ = try await client.create(.events, namespace: "shop", object: Self.event(namespace: "shop", regardingNamespace: nil))
            }
            #expect(elsewhere?.code == .invalid)
            #expect(elsewhere?.message.contains("involvedObject.namespace") == true)
            let long = await kubeError {
                _ = try await client.create(
                    .events, namespace: "shop", object: Self.event(namespace: "shop", regardingNamespace: "shop", note: String(repeating: "é", count: 600)))
            }
            #expect(long?.code == .invalid)
            _ = try await client.create(.events, namespace: "default", object: Self.event(namespace: "default", regardingNamespace: nil))
        }
    }

    @Test func theRecorderCutsNotesToWhatTheAPIServerAccepts() async throws {
        try await withKubeServer { client, server in
            let object = try server.seed(.clusterSysdigMetricMappings, object: mappingObject("global", namespace: nil))
            let recorder = EventRecorder(api: client, reportingInstance: "adapter-0", logger: quietLogger())
            let key = MappingKey(kind: .cluster, namespace: nil, name: "global")
            await recorder.record(reason: "SysdigQueryFailing", type: "Warning", note: String(repeating: "é", count: 2_000), key: key, object: object)
            let events = try await client.listAll(.events, namespace: "default").items
            #expect(events.count == 1)
            #expect((events.first?["note"]?.stringValue?.utf8.count ?? 0) <= 1024)
        }
    }
}
