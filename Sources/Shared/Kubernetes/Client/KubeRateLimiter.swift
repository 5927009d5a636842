import Foundation
import Synchronization

/// Client-side token bucket (client-go's `flowcontrol` default: 5 QPS, burst 10).
///
/// Each request reserves one token; when the bucket is empty the reservation goes
/// negative and the caller sleeps until its token has accrued, so callers are served in
/// the order they asked. `qps <= 0` disables limiting.
///
/// With `maxWait` a reservation that would have to wait longer is refused at once
/// (``WaitExceeded``) and takes no token, the way client-go fails a wait that would pass
/// its context's deadline ("rate: Wait(n=1) would exceed context deadline"). The debt
/// therefore never exceeds `qps × maxWait` tokens, so a flood of callers cannot push a
/// later caller's slot minutes into the future. A waiter that is cancelled gives its
/// token back.
public final class KubeRateLimiter: Sendable {
    /// A reservation would have waited longer than the limiter's `maxWait`; nothing was reserved.
    public struct WaitExceeded: Error, Sendable, CustomStringConvertible {
        /// How long the caller would have had to wait.
        public var wait: Duration
        /// The longest wait the limiter accepts.
        public var maxWait: Duration
        /// The limiter's sustained rate.
        public var qps: Double

        public var description: String {
            "client-side rate limit: the next request slot is \(Self.seconds(wait)) away, beyond the "
                + "\(Self.seconds(maxWait)) this client waits (limit \(qps) requests/s); "
                + "too many requests are being made at once"
        }

        static func seconds(_ duration: Duration) -> String {
            let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return "\((value * 1000).rounded() / 1000)s"
        }
    }

    private struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
        var waiting = 0
        var rejected = 0
        var waitingWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    /// Sustained rate in requests per second.
    public let qps: Double
    /// Largest number of requests let through at once.
    public let burst: Int
    /// Longest wait ``acquire()`` accepts; nil waits as long as it takes.
    public let maxWait: Duration?
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    /// - Parameters:
    ///   - qps: sustained requests per second; `<= 0` means unlimited.
    ///   - burst: bucket size (at least 1).
    ///   - maxWait: longest wait ``acquire()`` accepts before failing with ``WaitExceeded``;
    ///     nil waits as long as it takes (client-go without a deadline).
    ///   - now: the clock; inject one in tests.
    public init(
        qps: Double, burst: Int, maxWait: Duration? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.qps = qps
        self.burst = max(1, burst)
        self.maxWait = maxWait
        self.now = now
        self.state = Mutex(State(tokens: Double(max(1, burst)), last: now()))
    }

    /// Takes one token at `instant` and returns how long the caller must wait before using it.
    public func reserve(at instant: ContinuousClock.Instant) -> Duration {
        reserve(at: instant, maxWait: nil) ?? .zero
    }

    /// Takes one token at `instant` unless its wait would exceed `maxWait`; returns the wait,
    /// or nil (and takes nothing) when it is too long.
    public func reserve(at instant: ContinuousClock.Instant, maxWait: Duration?) -> Duration? {
        guard qps > 0 else { return .zero }
        return state.withLock { state in
            let elapsed = state.last.duration(to: instant)
            if elapsed > .zero {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                state.tokens = min(Double(burst), state.tokens + seconds * qps)
                state.last = instant
            }
            let remaining = state.tokens - 1
            let wait: Duration = remaining >= 0 ? .zero : .nanoseconds(Int64((-remaining / qps * 1e9).rounded(.up)))
            if let maxWait, wait > maxWait {
                state.rejected += 1
                return nil
            }
            state.tokens = remaining
            return wait
        }
    }

    /// Gives back one reserved token (a cancelled waiter's), never beyond the burst.
    public func cancelReservation() {
        guard qps > 0 else { return }
        state.withLock { $0.tokens = min(Double(burst), $0.tokens + 1) }
    }

    /// Waits for a token, at most ``maxWait``.
    /// - Throws: ``WaitExceeded`` at once when the wait would be longer than ``maxWait``;
    ///   `CancellationError` when the task is cancelled while waiting (the token is given back).
    public func acquire() async throws {
        try await acquire(maxWait: maxWait)
    }

    /// Waits for a token, at most `maxWait` (nil: as long as it takes).
    /// - Throws: ``WaitExceeded`` at once when the wait would be longer than `maxWait`;
    ///   `CancellationError` when the task is cancelled while waiting (the token is given back).
    public func acquire(maxWait: Duration?) async throws {
        guard let delay = reserve(at: now(), maxWait: maxWait) else {
            throw WaitExceeded(wait: pendingWait(), maxWait: maxWait ?? .zero, qps: qps)
        }
        guard delay > .zero else { return }
        let ready = state.withLock { state in
            state.waiting += 1
            return takeReadyWatchers(&state)
        }
        for watcher in ready { watcher.resume() }
        defer { state.withLock { $0.waiting -= 1 } }
        do {
            try await Task.sleep(for: delay)
        } catch {
            cancelReservation()
            throw error
        }
    }

    /// How long a reservation made now would wait (for error messages; takes nothing).
    private func pendingWait() -> Duration {
        let instant = now()
        return state.withLock { state in
            let elapsed = max(.zero, state.last.duration(to: instant))
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let remaining = min(Double(burst), state.tokens + seconds * qps) - 1
            return remaining >= 0 ? .zero : .nanoseconds(Int64((-remaining / qps * 1e9).rounded(.up)))
        }
    }

    /// How many callers are sleeping in `acquire()` right now.
    public var waitingCount: Int { state.withLock { $0.waiting } }

    /// How many reservations were refused because their wait exceeded `maxWait`.
    public var rejectedCount: Int { state.withLock { $0.rejected } }

    /// Tokens available now (negative: the debt later callers wait out); for tests and metrics.
    public var availableTokens: Double {
        let instant = now()
        return state.withLock { state in
            let elapsed = max(.zero, state.last.duration(to: instant))
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return qps > 0 ? min(Double(burst), state.tokens + seconds * qps) : Double(burst)
        }
    }

    /// Returns once at least `count` callers are waiting for a token (for tests: no sleeps).
    @_spi(Testing) public func waitUntilWaiting(atLeast count: Int) async {
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
