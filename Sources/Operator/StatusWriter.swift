import Foundation
import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Writes mapping status (leader only). Level-based: after each published
/// snapshot it computes every object's desired status and queues a merge patch of
/// the status subresource for those that differ; a newer desired status replaces
/// a queued one. Records an Event when a mapping's Ready condition changes.
public final class StatusWriter: Service, Sendable {
    private struct Pending: Sendable {
        var key: MappingKey
        var status: MappingStatus
        var object: JSONValue
        var transition: (from: String?, to: String)?
    }

    private let api: any KubernetesAPI
    private let logger: Logger
    private let isLeader: @Sendable () -> Bool
    private let now: @Sendable () -> Date
    private let sleep: Sleeper
    private let events: EventRecorder?
    private let pending = Mutex<[MappingKey: Pending]>([:])
    private let written = Mutex<Int>(0)
    private let trigger: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(
        api: any KubernetesAPI, logger: Logger, isLeader: @escaping @Sendable () -> Bool = { true },
        events: EventRecorder? = nil, now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping Sleeper = Sleepers.real
    ) {
        self.api = api
        self.logger = logger
        self.isLeader = isLeader
        self.events = events
        self.now = now
        self.sleep = sleep
        (trigger, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Number of status writes done (tests and self-metrics).
    public var writeCount: Int { written.withLock { $0 } }

    /// Queues the status changes a new snapshot implies. Cheap; never blocks on I/O.
    public func enqueue(snapshot: ConfigSnapshot, objects: [MappingKey: JSONValue]) {
        guard isLeader() else { return }
        let time = now()
        var changes: [MappingKey: Pending] = [:]
        for (key, object) in objects {
            guard let entry = snapshot.entries[key] else { continue }
            let generation: Int64? = {
                if case .number(let value) = object["metadata"]?["generation"] { return Int64(value) }
                return nil
            }()
            let current = object["status"]
            let desired = MappingStatus.desired(for: entry, generation: generation, previous: current, now: time)
            guard !desired.matches(current) else { continue }
            let oldReady = current?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
            let oldReason = oldReady?["reason"]?.stringValue
            let newReason = desired.ready?.reason ?? ""
            changes[key] = Pending(
                key: key, status: desired, object: object,
                transition: oldReason == newReason ? nil : (oldReason, newReason))
        }
        guard !changes.isEmpty else { return }
        pending.withLock { $0.merge(changes) { _, new in new } }
        wake.yield()
    }

    public func run() async throws {
        await cancelWhenGracefulShutdownOrReturn {
            for await _ in self.trigger {
                await self.drain()
            }
        }
    }

    private func drain() async {
        while !Task.isCancelled, isLeader() {
            let next = pending.withLock { queue -> Pending? in
                guard let key = queue.keys.min() else { return nil }
                return queue.removeValue(forKey: key)
            }
            guard let next else { return }
            await write(next)
        }
    }

    private func write(_ item: Pending) async {
        let resource = KubeGVR.mappings(item.key.kind)
        for attempt in 1...5 {
            do {
                _ = try await api.mergePatch(
                    resource, namespace: item.key.namespace, name: item.key.name, subresource: "status",
                    patch: .object(["status": item.status.json]))
                written.withLock { $0 += 1 }
                if let transition = item.transition, let events {
                    await events.record(transition: transition.to, previous: transition.from, status: item.status, object: item.object, key: item.key)
                }
                return
            } catch let error as KubeAPIError where error.code == .notFound {
                return  // deleted meanwhile; nothing to report on
            } catch let error as KubeAPIError where error.code == .conflict && attempt < 5 {
                continue
            } catch {
                logger.warning("Writing mapping status failed", metadata: [
                    "mapping": "\(item.key)", "attempt": "\(attempt)", "error": "\(error)",
                ])
                do { try await sleep(.milliseconds(200 * attempt)) } catch { return }
            }
        }
    }
}

extension StatusWriter {
    /// Runs `body` until it returns or graceful shutdown begins.
    fileprivate func cancelWhenGracefulShutdownOrReturn(_ body: @escaping @Sendable () async -> Void) async {
        await cancelWhenGracefulShutdown { await body() }
    }
}
