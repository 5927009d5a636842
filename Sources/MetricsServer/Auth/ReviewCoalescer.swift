import Synchronization

/// Shares one in-flight computation among every caller asking for the same key, so N
/// concurrent identical TokenReviews or SubjectAccessReviews send one request.
///
/// kube-apiserver's cached token authenticator does the same (`getOrWait`: requests for one
/// token share the lookup in flight). The computation runs in a task of its own: a caller
/// that is cancelled stops waiting without disturbing the others, and when the last waiter
/// leaves the computation is cancelled too (a rate-limiter wait then gives its token back).
/// Errors are shared with everyone waiting but never remembered.
public final class ReviewCoalescer<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Flight {
        var id: UInt64
        var task: Task<Void, Never>?
        var waiters: [UInt64: CheckedContinuation<Value, any Error>]
    }

    private struct State {
        var flights: [Key: Flight] = [:]
        var nextID: UInt64 = 0
        var started = 0
        var joined = 0
        var joinWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// Creates an empty coalescer.
    public init() {}

    /// The value for `key`: joins the computation in flight for it, or starts `compute`.
    /// - Throws: what `compute` threw (to every caller that shared it), or `CancellationError`
    ///   when this caller was cancelled while waiting.
    public func value(for key: Key, compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try Task.checkCancellation()
        let waiter = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let (flightID, ready) = state.withLock { state -> (UInt64?, [CheckedContinuation<Void, Never>]) in
                    if state.flights[key] != nil {
                        state.flights[key]?.waiters[waiter] = continuation
                        state.joined += 1
                        let joined = state.joined
                        let ready = state.joinWatchers.filter { $0.count <= joined }.map(\.continuation)
                        state.joinWatchers.removeAll { $0.count <= joined }
                        return (nil, ready)
                    }
                    state.nextID += 1
                    state.started += 1
                    state.flights[key] = Flight(id: state.nextID, task: nil, waiters: [waiter: continuation])
                    return (state.nextID, [])
                }
                for watcher in ready { watcher.resume() }
                guard let flightID else { return }
                // Detached: the shared work must not inherit the first caller's task-locals or cancellation.
                let task = Task.detached { [self] in
                    let result: Result<Value, any Error>
                    do {
                        result = .success(try await compute())
                    } catch {
                        result = .failure(error)
                    }
                    finish(key: key, flightID: flightID, result: result)
                }
                let attached = state.withLock { state -> Bool in
                    guard state.flights[key]?.id == flightID else { return false }
                    state.flights[key]?.task = task
                    return true
                }
                // Every waiter left before the task was recorded (or it is already done): nobody needs it.
                if !attached { task.cancel() }
            }
        } onCancel: {
            leave(key: key, waiter: waiter)
        }
    }

    /// How many computations were started (for tests and metrics).
    public var startedCount: Int { state.withLock { $0.started } }

    /// How many callers joined a computation already in flight (for tests and metrics).
    public var joinedCount: Int { state.withLock { $0.joined } }

    /// Computations in flight now.
    public var inFlightCount: Int { state.withLock { $0.flights.count } }

    /// Returns once at least `count` callers have joined a computation in flight (tests: no sleeps).
    public func waitUntilJoined(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let satisfied = state.withLock { state in
                if state.joined >= count { return true }
                state.joinWatchers.append((count, continuation))
                return false
            }
            if satisfied { continuation.resume() }
        }
    }

    private func finish(key: Key, flightID: UInt64, result: Result<Value, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard state.flights[key]?.id == flightID, let flight = state.flights.removeValue(forKey: key) else { return [] }
            return Array(flight.waiters.values)
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// A cancelled caller stops waiting; the last one to leave cancels the computation.
    private func leave(key: Key, waiter: UInt64) {
        let (continuation, abandoned) = state.withLock {
            state -> (CheckedContinuation<Value, any Error>?, Task<Void, Never>?) in
            guard var flight = state.flights[key], let continuation = flight.waiters.removeValue(forKey: waiter)
            else { return (nil, nil) }
            if flight.waiters.isEmpty {
                state.flights[key] = nil
                return (continuation, flight.task)
            }
            state.flights[key] = flight
            return (continuation, nil)
        }
        continuation?.resume(throwing: CancellationError())
        abandoned?.cancel()
    }
}
