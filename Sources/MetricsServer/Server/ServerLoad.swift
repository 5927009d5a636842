import Synchronization

/// What the overload protections are doing: open connections and requests in flight, and
/// how many were refused, timed out or closed. Shared by the connection and request guards
/// of one server; tests wait on it instead of sleeping.
public final class ServerLoad: Sendable {
    /// A consistent copy of the counters.
    public struct Snapshot: Sendable, Hashable {
        /// Connections accepted and not yet closed.
        public var openConnections = 0
        /// Connections closed at once because `--max-connections` were open.
        public var refusedConnections = 0
        /// Requests being served now (health probes excluded).
        public var requestsInFlight = 0
        /// Requests answered 429 because `--max-requests-inflight` were being served.
        public var rejectedRequests = 0
        /// Requests answered 414 because their path was longer than any served one.
        public var pathTooLong = 0
        /// Requests answered 504 because they outlived `--request-timeout`.
        public var timedOutRequests = 0
        /// Connections closed for lack of a TLS handshake within `--tls-handshake-timeout`.
        public var handshakeTimeouts = 0
        /// Connections closed for lack of a complete request head within `--read-header-timeout`.
        public var readHeaderTimeouts = 0
        /// Keep-alive connections closed after `--idle-timeout` without a new request.
        public var idleTimeouts = 0
    }

    private struct State {
        var snapshot = Snapshot()
        var watchers: [(predicate: @Sendable (Snapshot) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// Creates zeroed counters.
    public init() {}

    /// The counters now.
    public var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Returns once `predicate` holds for the counters (tests: no sleeps).
    public func waitUntil(_ predicate: @escaping @Sendable (Snapshot) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let satisfied = state.withLock { state in
                if predicate(state.snapshot) { return true }
                state.watchers.append((predicate, continuation))
                return false
            }
            if satisfied { continuation.resume() }
        }
    }

    /// Counts a new connection unless `limit` (> 0) are open; false: refuse it.
    func openConnection(limit: Int) -> Bool {
        update { snapshot in
            if limit > 0 && snapshot.openConnections >= limit {
                snapshot.refusedConnections += 1
                return false
            }
            snapshot.openConnections += 1
            return true
        }
    }

    /// Counts a request in unless `limit` (> 0) are in flight; false: answer 429.
    func enterRequest(limit: Int) -> Bool {
        update { snapshot in
            if limit > 0 && snapshot.requestsInFlight >= limit {
                snapshot.rejectedRequests += 1
                return false
            }
            snapshot.requestsInFlight += 1
            return true
        }
    }

    /// Applies `change` and wakes the watchers it satisfies.
    @discardableResult
    func update<T: Sendable>(_ change: (inout Snapshot) -> T) -> T {
        let (result, ready) = state.withLock { state -> (T, [CheckedContinuation<Void, Never>]) in
            let result = change(&state.snapshot)
            let snapshot = state.snapshot
            let ready = state.watchers.filter { $0.predicate(snapshot) }.map(\.continuation)
            state.watchers.removeAll { $0.predicate(snapshot) }
            return (result, ready)
        }
        for continuation in ready { continuation.resume() }
        return result
    }
}
