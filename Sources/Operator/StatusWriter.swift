import Foundation
import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Writes mapping status (leader only). Level-based: after each published
/// snapshot it computes the desired status of every object the snapshot changed
/// (every object after a full build, on resync and when it lost track) and queues
/// a merge patch of the status subresource for those that differ; a newer desired status replaces
/// a queued one. Records an Event when a mapping's Ready condition changes.
///
/// A status already queued or written for the same object version is not queued
/// again: until our own write comes back through the watch, the controller still
/// holds the old object, and a reconcile in between must neither write twice nor
/// record the transition twice.
public final class StatusWriter: Service, Sendable {
    private struct Pending: Sendable {
        var key: MappingKey
        var status: MappingStatus
        var object: JSONValue
        var transition: (from: String?, to: String)?
    }

    private struct State: Sendable {
        var pending: [MappingKey: Pending] = [:]
        /// Per object: the resourceVersion a status was computed from, and that status.
        var queued: [MappingKey: (resourceVersion: String?, status: MappingStatus)] = [:]
        /// The last published state, kept to resync when this replica becomes the leader.
        var latest: (snapshot: ConfigSnapshot, objects: [MappingKey: JSONValue])?
        /// The version of the last snapshot acted on as leader. A snapshot whose `changes`
        /// are relative to it needs only the changed keys looked at; any other, all of them.
        var actedVersion: Int?
        /// Keys whose write gave up: looked at again on the next publish.
        var retry: Set<MappingKey> = []
        var writing = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        var isIdle: Bool { pending.isEmpty && !writing }
    }

    private let api: any KubernetesAPI
    private let logger: Logger
    private let isLeader: @Sendable () -> Bool
    private let now: @Sendable () -> Date
    private let sleep: Sleeper
    private let events: EventRecorder?
    private let state = Mutex(State())
    private let written = Mutex<Int>(0)
    private let trigger: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - isLeader: whether this replica may write (the `LeaderElector`'s `isLeader`).
    ///   - events: records an Event on each Ready transition (nil: no events).
    ///   - now: the clock for `lastTransitionTime`.
    ///   - sleep: waits between retries of a failed write.
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
    @_spi(Testing) public var writeCount: Int { written.withLock { $0 } }

    /// Queues the status changes a new snapshot implies. Cheap; never blocks on I/O.
    /// Pass it as the controller's `onPublish`. When the snapshot's `changes` follow the
    /// last snapshot acted on, only the changed keys are looked at; otherwise every object.
    public func enqueue(snapshot: ConfigSnapshot, objects: [MappingKey: JSONValue]) {
        let leading = isLeader()
        let time = now()
        let changed = state.withLock { state -> Bool in
            state.latest = (snapshot, objects)
            guard leading else {
                state.actedVersion = nil
                return false
            }
            return Self.plan(snapshot: snapshot, objects: objects, now: time, state: &state)
        }
        if changed { wake.yield() }
    }

    /// Recomputes every status from the last published snapshot; call it when this
    /// replica becomes the leader (snapshots published before were not acted on).
    public func resync() {
        let leading = isLeader()
        let time = now()
        let changed = state.withLock { state -> Bool in
            state.queued = [:]
            state.actedVersion = nil
            guard leading, let latest = state.latest else { return false }
            return Self.plan(snapshot: latest.snapshot, objects: latest.objects, now: time, state: &state)
        }
        if changed { wake.yield() }
    }

    /// Queues a write for each looked-at object whose status differs from the desired one.
    /// Returns whether anything was queued.
    private static func plan(
        snapshot: ConfigSnapshot, objects: [MappingKey: JSONValue], now time: Date, state: inout State
    ) -> Bool {
        var changed = false
        func consider(_ key: MappingKey, _ object: JSONValue) {
            guard let entry = snapshot.entries[key] else { return }
            let generation: Int64? = {
                if case .number(let value) = object["metadata"]?["generation"] { return Int64(value) }
                return nil
            }()
            let current = object["status"]
            let desired = MappingStatus.desired(for: entry, generation: generation, previous: current, now: time)
            let version = object["metadata"]?["resourceVersion"]?.stringValue
            guard !desired.matches(current) else {
                state.queued[key] = nil
                return
            }
            if let queued = state.queued[key], queued.resourceVersion == version,
                queued.status.sameIgnoringTransitionTimes(desired)
            {
                return  // already on its way; the watch has not shown our write yet
            }
            let oldReady = current?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
            let oldReason = oldReady?["reason"]?.stringValue
            let newReason = desired.ready?.reason ?? ""
            state.pending[key] = Pending(
                key: key, status: desired, object: object,
                transition: oldReason == newReason ? nil : (oldReason, newReason))
            state.queued[key] = (version, desired)
            changed = true
        }
        if let changes = snapshot.changes, state.actedVersion != nil, changes.since == state.actedVersion {
            for key in changes.keys.union(state.retry) {
                if let object = objects[key] { consider(key, object) } else { state.queued[key] = nil }
            }
        } else {
            state.queued = state.queued.filter { objects[$0.key] != nil }
            for (key, object) in objects { consider(key, object) }
        }
        state.retry = []
        state.actedVersion = snapshot.version
        return changed
    }

    /// Returns once nothing is queued and no write is in progress.
    public func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if state.isIdle { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Writes queued statuses until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.trigger {
                await self.drain()
            }
        }
        finishWriting(dropPending: true)
    }

    private func drain() async {
        while !Task.isCancelled {
            let leading = isLeader()
            let next = state.withLock { state -> Pending? in
                guard leading, let key = state.pending.keys.min() else { return nil }
                state.writing = true
                return state.pending.removeValue(forKey: key)
            }
            guard let next else { return finishWriting(dropPending: !leading) }
            let done = await write(next)
            if !done {
                state.withLock { state in
                    state.queued[next.key] = nil
                    state.retry.insert(next.key)
                }
            }
            finishWriting(dropPending: false)
        }
    }

    /// Marks the current write done; wakes idle waiters when nothing is left.
    private func finishWriting(dropPending: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.writing = false
            if dropPending {
                state.pending = [:]
                state.queued = [:]
                state.actedVersion = nil  // what was dropped must be looked at again
            }
            guard state.isIdle else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Patches one status, retrying conflicts at once and other failures after a pause.
    /// Returns false when it gave up (the next reconcile queues it again).
    private func write(_ item: Pending) async -> Bool {
        let resource = KubeGVR.mappings(item.key.kind)
        let attempts = 5
        for attempt in 1...attempts {
            do {
                _ = try await api.mergePatch(
                    resource, namespace: item.key.namespace, name: item.key.name, subresource: "status",
                    patch: .object(["status": item.status.json]))
                written.withLock { $0 += 1 }
                if let transition = item.transition, let events {
                    await events.record(
                        transition: transition.to, previous: transition.from, status: item.status, object: item.object,
                        key: item.key)
                }
                return true
            } catch let error as KubeAPIError where error.code == .notFound {
                return true  // deleted meanwhile; nothing to report on
            } catch let error as KubeAPIError where [.invalid, .badRequest, .forbidden].contains(error.code) {
                // Refused for good (the schema, RBAC): retrying cannot help; the API
                // server's message says what is wrong.
                logger.warning("The API server refused the mapping status", metadata: [
                    "mapping": "\(item.key)", "error": "\(error)",
                ])
                return true
            } catch {
                logger.warning("Writing mapping status failed", metadata: [
                    "mapping": "\(item.key)", "attempt": "\(attempt)", "error": "\(error)",
                ])
                if (error as? KubeAPIError)?.code == .conflict { continue }
                guard attempt < attempts else { break }
                do { try await sleep(.milliseconds(200 * attempt)) } catch { return false }
            }
        }
        return false
    }
}
