import Foundation
import Synchronization

/// Client-side token bucket (client-go's `flowcontrol` default: 5 QPS, burst 10).
///
/// Each request reserves one token; when the bucket is empty the reservation goes
/// negative and the caller sleeps until its token has accrued, so callers are served in
/// the order they asked. `qps <= 0` disables limiting.
public final class KubeRateLimiter: Sendable {
    private struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
        var waiting = 0
        var waitingWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    /// Sustained rate in requests per second.
    public let qps: Double
    /// Largest number of requests let through at once.
    public let burst: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    /// - Parameters:
    ///   - qps: sustained requests per second; `<= 0` means unlimited.
    ///   - burst: bucket size (at least 1).
    ///   - now: the clock; inject one in tests.
    public init(qps: Double, burst: Int, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.qps = qps
        self.burst = max(1, burst)
        self.now = now
        self.state = Mutex(State(tokens: Double(max(1, burst)), last: now()))
    }

    /// Takes one token at `instant` and returns how long the caller must wait before using it.
    public func reserve(at instant: ContinuousClock.Instant) -> Duration {
        guard qps > 0 else { return .zero }
        return state.withLock { state in
            let elapsed = state.last.duration(to: instant)
            if elapsed > .zero {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                state.tokens = min(Double(burst), state.tokens + seconds * qps)
                state.last = instant
            }
            state.tokens -= 1
            guard state.tokens < 0 else { return .zero }
            return .nanoseconds(Int64((-state.tokens / qps * 1e9).rounded(.up)))
        }
    }

    /// Waits for a token. Throws `CancellationError` when the task is cancelled while waiting
    /// (the reserved token is not returned, which only makes later callers slightly slower).
    public func acquire() async throws {
        let delay = reserve(at: now())
        guard delay > .zero else { return }
        let ready = state.withLock { state in
            state.waiting += 1
            return takeReadyWatchers(&state)
        }
        for watcher in ready { watcher.resume() }
        defer { state.withLock { $0.waiting -= 1 } }
        try await Task.sleep(for: delay)
    }

    /// How many callers are sleeping in `acquire()` right now.
    public var waitingCount: Int { state.withLock { $0.waiting } }

    /// Returns once at least `count` callers are waiting for a token (for tests: no sleeps).
    public func waitUntilWaiting(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let satisfied = state.withLock { state in
                if state.waiting >= count { return true }
                state.waitingWatchers.append((count, continuation))
                return false
            }
            if satisfied { continuation.resume() }
        }
    }

    private func takeReadyWatchers(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let waiting = state.waiting
        let ready = state.waitingWatchers.filter { $0.count <= waiting }.map(\.continuation)
        state.waitingWatchers.removeAll { $0.count <= waiting }
        return ready
    }
}
