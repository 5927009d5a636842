import Shared
import Synchronization

/// Client-side token bucket protecting the Sysdig account (`--sysdig-qps`,
/// `--sysdig-burst`), implemented as GCRA: each request reserves the next free
/// slot. A request whose slot lies beyond its deadline is refused at once instead
/// of waiting for nothing. A 429's Retry-After pauses every request until it passes.
public final class RateLimiter: Sendable {
    private struct State {
        var theoreticalArrival: ContinuousClock.Instant
        var pausedUntil: ContinuousClock.Instant?
        var waits = 0
    }

    private let interval: Duration
    private let burst: Int
    private let state: Mutex<State>

    /// - Parameters:
    ///   - qps: sustained requests per second; `0` or less disables limiting.
    ///   - burst: requests allowed at once after an idle period.
    public init(qps: Double, burst: Int) {
        self.interval = qps > 0 ? .nanoseconds(Int64(1e9 / qps)) : .zero
        self.burst = max(1, burst)
        self.state = Mutex(State(theoreticalArrival: .now))
    }

    /// Requests that had to wait for a slot (exported as a self-metric).
    public var waitCount: Int { state.withLock { $0.waits } }

    /// Waits for a slot. Throws `SysdigError.rateLimited` without waiting when the
    /// slot (or a Retry-After pause) is later than `deadline`.
    public func acquire(deadline: ContinuousClock.Instant) async throws {
        let slot: Result<ContinuousClock.Instant, SysdigError> = state.withLock { state in
            let now = ContinuousClock.now
            var start = max(now, state.theoreticalArrival - interval * (burst - 1))
            if let paused = state.pausedUntil, paused > start { start = paused }
            guard interval > .zero || start > now else { return .success(now) }
            guard start <= deadline else {
                // Tell the client when a slot frees up, so its Retry-After is honest.
                return .failure(SysdigErrorFactory.rateLimited(
                    "the adapter's Sysdig rate limit leaves no slot before the request deadline",
                    retryAfter: now.duration(to: start)))
            }
            state.theoreticalArrival = max(state.theoreticalArrival, start) + interval
            if start > now { state.waits += 1 }
            return .success(start)
        }
        let instant = try slot.get()
        if instant > .now { try await Task.sleep(until: instant, clock: .continuous) }
    }

    /// Pauses all requests until `instant` (a Sysdig 429 with Retry-After).
    public func pause(until instant: ContinuousClock.Instant) {
        state.withLock { state in
            state.pausedUntil = max(state.pausedUntil ?? instant, instant)
        }
    }
}

enum SysdigErrorFactory {
    static func rateLimited(_ message: String, retryAfter: Duration? = nil) -> SysdigError {
        SysdigError(code: .rateLimited, message: message, retryAfter: retryAfter)
    }
}
