import Foundation
import Shared

extension KubeAPITestServer {
    /// Ends every open watch stream normally (as the API server does at its timeout);
    /// clients must re-watch from their last resourceVersion.
    public func disconnectAllWatches() {
        let watches = state.withLock { state in
            defer { state.watches = [:] }
            return Array(state.watches.values)
        }
        for watch in watches { watch.close() }
        notifyWaiters()
    }

    /// Drops the change history: watches and continue tokens from before now get 410 Expired.
    public func compact() {
        state.withLock { $0.store.compact() }
    }

    /// Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks.
    public func sendBookmarks() {
        state.withLock { state in
            let version = String(state.store.version)
            for watch in state.watches.values where watch.bookmarks {
                let object = JSONValue.object([
                    "apiVersion": .string(watch.resource.groupVersion), "kind": .string(watch.kind),
                    "metadata": .object(["resourceVersion": .string(version)]),
                ])
                watch.send([WatchEvent(type: .bookmark, object: object)])
            }
        }
    }

    /// The next `count` requests (whose path and query contain `pathContains`, if given) get `status`
    /// with a Status body, and `Retry-After: retryAfter` when set.
    public func injectFaults(count: Int, status: Int, retryAfter: Int? = nil, pathContains: String? = nil) {
        state.withLock {
            $0.faults.append(Fault(status: status, retryAfter: retryAfter, remaining: count, pathContains: pathContains))
        }
    }

    /// Requests without `Authorization: Bearer <token>` get 401 (nil: no authentication).
    public func requireToken(_ token: String?) {
        state.withLock { $0.requiredToken = token }
    }

    /// Splits watch output into writes of at most `size` bytes (nil: one write per batch).
    public func setWatchChunkSize(_ size: Int?) {
        state.withLock { $0.watchChunkSize = size }
    }

    /// How a watch from a compacted resourceVersion is refused.
    public func setExpiredWatchMode(_ mode: ExpiredWatchMode) {
        state.withLock { $0.expiredWatchMode = mode }
    }

    /// Every request received so far.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// The last resourceVersion handed out.
    public var resourceVersion: Int { state.withLock { $0.store.version } }

    /// Open watch streams.
    public var openWatches: Int { state.withLock { $0.watches.count } }

    /// The stored object, if any.
    public func object(_ resource: KubeGVR, namespace: String? = nil, name: String) -> JSONValue? {
        state.withLock { $0.snapshot }.object(resource, namespace: namespace, name: name)
    }

    /// Creates an object directly (as another client would), with events for watchers.
    @discardableResult
    public func seed(_ resource: KubeGVR, namespace: String? = nil, object: JSONValue) throws -> JSONValue {
        let kind = try known(resource)
        return try mutate { store throws(KubeTestStatus) in
            let change = try store.create(kind, namespace: namespace, object: object, now: now())
            return (change.object, [change])
        }
    }

    /// Deletes an object directly, with a DELETED event for watchers.
    public func remove(_ resource: KubeGVR, namespace: String? = nil, name: String) throws {
        let kind = try known(resource)
        try mutate { store throws(KubeTestStatus) in
            let change = try store.delete(kind, namespace: namespace, name: name)
            return ((), [change])
        }
    }

    /// Merge-patches an object (or its status) directly, with a MODIFIED event for watchers.
    @discardableResult
    public func patch(
        _ resource: KubeGVR, namespace: String? = nil, name: String, status: Bool = false, patch: JSONValue
    ) throws -> JSONValue {
        let kind = try known(resource)
        return try mutate { store throws(KubeTestStatus) in
            let result = try store.mergePatch(kind, namespace: namespace, name: name, patch: patch, status: status)
            return (result.object, result.change.map { [$0] } ?? [])
        }
    }

    /// Returns once `predicate` holds; it is re-checked after every request and change.
    public func waitUntil(_ predicate: @escaping @Sendable (Snapshot) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let satisfied = state.withLock { state -> Bool in
                if predicate(state.snapshot) { return true }
                state.nextWaiterID += 1
                state.waiters[state.nextWaiterID] = (predicate, continuation)
                return false
            }
            if satisfied { continuation.resume() }
        }
    }

    private func known(_ resource: KubeGVR) throws(KubeTestStatus) -> KubeTestResource {
        guard let kind = self.resource(for: resource) else {
            throw KubeTestStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        return kind
    }

    /// Applies a store change under the lock, fans its events out to matching watches in
    /// order, then wakes satisfied waiters.
    func mutate<T: Sendable>(
        _ body: (inout KubeObjectStore) throws(KubeTestStatus) -> (T, [KubeObjectStore.Change])
    ) throws(KubeTestStatus) -> T {
        let result = try state.withLock { state throws(KubeTestStatus) -> T in
            let (value, changes) = try body(&state.store)
            for watch in state.watches.values {
                let events = changes.filter { watch.matches($0.key, $0.object) }
                    .map { WatchEvent(type: $0.type, object: $0.object) }
                watch.send(events)
            }
            return value
        }
        notifyWaiters()
        return result
    }

    func notifyWaiters() {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let snapshot = state.snapshot
            let done = state.waiters.filter { $0.value.predicate(snapshot) }
            for id in done.keys { state.waiters.removeValue(forKey: id) }
            return done.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }
}
