import Foundation
@testable import Operator
import Shared
import Synchronization
import Testing

/// `status.lastQuery` and the query-failure Events, through the real client and the
/// test API server: every outcome is one the CRD schema accepts, and every Event names
/// its object's uid (what `kubectl describe` selects events by).
@Suite(.timeLimit(.minutes(1))) struct QueryHealthWriterTests {
    static let smm = KubeGVR.sysdigMetricMappings
    static let csmm = KubeGVR.clusterSysdigMetricMappings

    static func record(_ outcome: QueryHealthRecorder.Record.Outcome, _ message: String = "") -> QueryHealthRecorder.Record {
        QueryHealthRecorder.Record(
            time: Date(timeIntervalSince1970: 1_714_564_800), outcome: outcome, value: outcome == .ok ? "1500m" : nil,
            message: message)
    }

    @Test(arguments: [Optional("shop"), nil])
    func everyOutcomeIsWrittenAndFailuresAreEventsAboutTheObject(namespace: String?) async throws {
        let resource = namespace == nil ? Self.csmm : Self.smm
        try await withKubeServer { client, server in
            let created = try server.seed(resource, namespace: namespace, object: mappingObject("web", namespace: namespace))
            let uid = try #require(created["metadata"]?["uid"]?.stringValue)
            let key = MappingKey(kind: namespace == nil ? .cluster : .namespaced, namespace: namespace, name: "web")
            let recorder = QueryHealthRecorder()
            let events = EventRecorder(api: client, reportingInstance: "adapter-0", logger: quietLogger())
            let writer = QueryHealthWriter(api: client, recorder: recorder, logger: quietLogger(), events: events)

            for (outcome, message) in [
                (QueryHealthRecorder.Record.Outcome.failed, "Sysdig answered HTTP 503"), (.ok, ""),
                (.noData, "Sysdig returned no data"), (.failed, "Sysdig answered HTTP 500"),
            ] {
                recorder.record(key, Self.record(outcome, message))
                await writer.flush()
                let stored = try #require(server.object(resource, namespace: namespace, name: "web"))
                #expect(stored["status"]?["lastQuery"]?["outcome"]?.stringValue == outcome.rawValue)
                #expect(stored["status"]?["lastQuery"]?["message"]?.stringValue == message)
            }

            let list = try await client.listAll(.events, namespace: nil)
            let reasons = list.items.sorted { ($0.name ?? "") < ($1.name ?? "") }.compactMap { $0["reason"]?.stringValue }
            #expect(reasons == ["SysdigQueryFailing", "SysdigQueryRecovered", "SysdigQueryFailing"])
            for event in list.items {
                #expect(event["regarding"]?["uid"]?.stringValue == uid)
                #expect(event["regarding"]?["kind"]?.stringValue == key.kind.rawValue)
                #expect(event["regarding"]?["name"]?.stringValue == "web")
            }
        }
    }
}
