import Shared
import Synchronization

/// Client-side token bucket protecting the Sysdig account (`--sysdig-qps`,
/// `--sysdig-burst`), implemented as GCRA: each request reserves the next free
/// slot. A request whose slot lies beyond its deadline is refused at once instead
/// of waiting for nothing. A 429's Retry-After pauses every request until it passes,
/// including requests that were already waiting for their slot when it arrived.
public final class RateLimiter: Sendable {
    /// Sleeps until an instant (throws on cancellation).
    public typealias SleepUntil = @Sendable (ContinuousClock.Instant) async throws -> Void

    private struct State {
        var theoreticalArrival: ContinuousClock.Instant
        var pausedUntil: ContinuousClock.Instant?
        var waits = 0
    }

    private let interval: Duration
    private let burst: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let sleep: SleepUntil
    private let state: Mutex<State>

    /// - Parameters:
    ///   - qps: sustained requests per second; `0` or less disables limiting.
    ///   - burst: requests allowed at once after an idle period.
    ///   - now: the clock; tests inject one they move by hand.
    ///   - sleep: waits until an instant of `now`'s clock.
    public init(
        qps: Double, burst: Int,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        sleep: @escaping SleepUntil = { try await Task.sleep(until: $0, clock: .continuous) }
    ) {
        self.interval = qps > 0 ? .nanoseconds(Int64(1e9 / qps)) : .zero
        self.burst = max(1, burst)
        self.now = now
        self.sleep = sleep
        self.state = Mutex(State(theoreticalArrival: now()))
    }

    /// Requests that had to wait for a slot (exported as a self-metric).
    public var waitCount: Int { state.withLock { $0.waits } }

    /// Waits for a slot. Throws `SysdigError.rateLimited` without waiting when the
    /// slot (or a Retry-After pause) is later than `deadline`. A pause that starts
    /// while this request waits holds it back too: it queues again behind the pause.
    public func acquire(deadline: ContinuousClock.Instant) async throws {
        var slot = try state.withLock { state in reserve(&state, deadline: deadline, counted: false) }.get()
        while true {
            if slot > now() { try await sleep(slot) }
            let requeued: Result<ContinuousClock.Instant, SysdigError>? = state.withLock { state in
                guard let paused = state.pausedUntil, paused > now() else { return nil }
                return reserve(&state, deadline: deadline, counted: true)
            }
            guard let requeued else { return }
            slot = try requeued.get()
        }
    }

    /// Reserves the next free slot at or after any pause, or refuses when it is past `deadline`.
    private func reserve(
        _ state: inout State, deadline: ContinuousClock.Instant, counted: Bool
    ) -> Result<ContinuousClock.Instant, SysdigError> {
        let now = now()
        var start = max(now, state.theoreticalArrival - interval * (burst - 1))
        if let paused = state.pausedUntil, paused > start { start = paused }
        guard interval > .zero || start > now else { return .success(now) }
        guard start <= deadline else {
            // Already too late (a loaded machine): that is a timeout, not our rate limit.
            if now >= deadline {
                return .failure(SysdigError(code: .timeout, message: "the request deadline passed before it could be sent"))
            }
            // Tell the client when a slot frees up, so its Retry-After is honest.
            return .failure(SysdigErrorFactory.rateLimited(
                "the adapter's Sysdig rate limit leaves no slot before the request deadline",
                retryAfter: now.duration(to: start)))
        }
        state.theoreticalArrival = max(state.theoreticalArrival, start) + interval
        if start > now, !counted { state.waits += 1 }
        return .success(start)
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
