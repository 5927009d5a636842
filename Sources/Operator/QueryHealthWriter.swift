import Foundation
import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Writes `status.lastQuery` (time, outcome, value, message) from what the metrics
/// server recorded, at most once per `interval` for each mapping, leader only, and
/// records an Event when Sysdig errors start or clear for a mapping.
public final class QueryHealthWriter: Service, Sendable {
    private let api: any KubernetesAPI
    private let recorder: QueryHealthRecorder
    private let logger: Logger
    private let interval: Duration
    private let isLeader: @Sendable () -> Bool
    private let sleep: Sleeper
    private let events: EventRecorder?
    private let lastOutcome = Mutex<[MappingKey: QueryHealthRecorder.Record.Outcome]>([:])

    public init(
        api: any KubernetesAPI, recorder: QueryHealthRecorder, logger: Logger, interval: Duration = .seconds(30),
        isLeader: @escaping @Sendable () -> Bool = { true }, events: EventRecorder? = nil,
        sleep: @escaping Sleeper = Sleepers.real
    ) {
        self.api = api
        self.recorder = recorder
        self.logger = logger
        self.interval = interval
        self.isLeader = isLeader
        self.events = events
        self.sleep = sleep
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await self.sleep(self.interval) } catch { return }
                await self.flush()
            }
        }
    }

    /// Writes every record that changed since the last flush (leader only).
    public func flush() async {
        let changed = recorder.takeChanged()
        guard isLeader() else { return }
        for (key, record) in changed.sorted(by: { $0.key < $1.key }) {
            var fields: [String: JSONValue] = [
                "time": .string(KubeTime.format(record.time)), "outcome": .string(record.outcome.rawValue),
                "message": .string(record.message.truncated(toUnicodeScalars: 1024)),
            ]
            fields["value"] = record.value.map(JSONValue.string) ?? .null
            let object: JSONValue
            do {
                object = try await api.mergePatch(
                    KubeGVR.mappings(key.kind), namespace: key.namespace, name: key.name, subresource: "status",
                    patch: .object(["status": .object(["lastQuery": .object(fields)])]))
            } catch let error as KubeAPIError where error.code == .notFound {
                continue  // deleted meanwhile
            } catch {
                // A refusal (422 from the schema, 403 from RBAC) is a bug or a misconfiguration
                // an admin must see; the API server's message says which.
                logger.warning("Writing the last query to the mapping's status failed", metadata: [
                    "mapping": "\(key)", "error": "\(error)",
                ])
                continue
            }
            await recordTransition(key, record, object: object)
        }
    }

    private func recordTransition(_ key: MappingKey, _ record: QueryHealthRecorder.Record, object: JSONValue) async {
        let failing = record.outcome == .failed
        let previous = lastOutcome.withLock { state -> QueryHealthRecorder.Record.Outcome? in
            defer { state[key] = record.outcome }
            return state[key]
        }
        let wasFailing = previous == .failed
        guard let events, failing != wasFailing, previous != nil || failing else { return }
        await events.record(
            reason: failing ? "SysdigQueryFailing" : "SysdigQueryRecovered", type: failing ? "Warning" : "Normal",
            note: record.message, key: key, object: object)
    }
}
