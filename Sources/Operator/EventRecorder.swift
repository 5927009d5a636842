import Foundation
import Logging
import Shared
import Synchronization

/// Records Kubernetes Events (`events.k8s.io/v1`) on mapping transitions: became
/// Ready, became invalid, lost a conflict. One Event per transition, never one per
/// HPA poll (docs/kubernetes-api.md, "Events").
public final class EventRecorder: Sendable {
    let api: any KubernetesAPI
    let reportingInstance: String
    let logger: Logger
    let now: @Sendable () -> Date
    /// Namespace for events about cluster-scoped mappings.
    let clusterEventNamespace: String
    /// The last name suffix used: names must be unique even when the clock repeats.
    private let lastNanos = Mutex<UInt64>(0)

    public static let reportingController = "metrics.sysdig.com/adapter"

    /// - Parameters:
    ///   - reportingInstance: this replica (the pod name), at most 128 characters.
    ///   - clusterEventNamespace: where events about cluster-scoped mappings go.
    public init(
        api: any KubernetesAPI, reportingInstance: String, logger: Logger,
        clusterEventNamespace: String = "default", now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.api = api
        self.reportingInstance = String(reportingInstance.prefix(128))
        self.logger = logger
        self.clusterEventNamespace = clusterEventNamespace
        self.now = now
    }

    func record(transition reason: String, previous: String?, status: MappingStatus, object: JSONValue, key: MappingKey) async {
        await record(
            reason: reason, type: reason == "Serving" ? "Normal" : "Warning", note: status.ready?.message ?? reason,
            key: key, object: object)
    }

    /// Creates one Event about a mapping. `object` is the mapping as last read: its uid
    /// goes into `regarding`, since `kubectl describe` finds events by the object's uid
    /// (an Event without it is never shown there). Without a uid nothing is recorded.
    func record(reason: String, type: String, note: String, key: MappingKey, object: JSONValue) async {
        guard let uid = object["metadata"]?["uid"]?.stringValue, !uid.isEmpty else {
            logger.warning("Not recording an event: the mapping's uid is unknown", metadata: [
                "mapping": "\(key)", "event.reason": "\(reason)",
            ])
            return
        }
        let time = now()
        let namespace = key.namespace ?? clusterEventNamespace
        let clockNanos = UInt64(max(0, time.timeIntervalSince1970) * 1_000_000_000)
        let nanos = lastNanos.withLock { last -> UInt64 in
            last = max(clockNanos, last + 1)
            return last
        }
        var regarding: [String: JSONValue] = [
            "apiVersion": .string(MappingKind.apiVersion), "kind": .string(key.kind.rawValue), "name": .string(key.name),
        ]
        if let ns = key.namespace { regarding["namespace"] = .string(ns) }
        regarding["uid"] = .string(uid)
        if let version = object["metadata"]?["resourceVersion"]?.stringValue { regarding["resourceVersion"] = .string(version) }
        let event: JSONValue = .object([
            "apiVersion": .string("events.k8s.io/v1"), "kind": .string("Event"),
            "metadata": .object([
                "name": .string("\(key.name).\(String(nanos, radix: 16))"), "namespace": .string(namespace),
            ]),
            "eventTime": .string(Self.microTime(time)),
            "reportingController": .string(Self.reportingController),
            "reportingInstance": .string(reportingInstance),
            "action": .string("Reconcile"),
            "reason": .string(reason),
            "regarding": .object(regarding),
            "note": .string(note.truncated(toUTF8Bytes: 1024)),  // Go len(): bytes
            "type": .string(type),
        ])
        do {
            _ = try await api.create(.events, namespace: namespace, object: event)
        } catch {
            logger.warning("Recording an event failed", metadata: ["mapping": "\(key)", "error": "\(error)"])
        }
    }

    /// `metav1.MicroTime`: six fraction digits, always.
    static func microTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        let base = KubeTime.format(Date(timeIntervalSince1970: seconds))
        return String(base.dropLast()) + "." + String(format: "%06d", micros) + "Z"
    }
}
