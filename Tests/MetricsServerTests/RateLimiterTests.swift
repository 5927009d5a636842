import Foundation
import Shared
import Synchronization
import Testing

@testable import MetricsServer

/// A clock for ``RateLimiter``: time moves only on `advance(to:)`, which wakes the
/// sleeps that are due; `waitForSleepers(_:)` returns once that many sleeps are pending.
final class LimiterClock: Sendable {
    private struct Sleeper {
        var until: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: ContinuousClock.Instant
        var sleepers: [Sleeper] = []
        var watchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    let start: ContinuousClock.Instant
    private let state: Mutex<State>

    init() {
        let start = ContinuousClock.now
        self.start = start
        state = Mutex(State(now: start))
    }

    var now: @Sendable () -> ContinuousClock.Instant { { self.state.withLock { $0.now } } }

    var sleep: RateLimiter.SleepUntil {
        { until in
            try await withCheckedThrowingContinuation { continuation in
                let watchers = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    guard until > state.now else {
                        continuation.resume()
                        return []
                    }
                    state.sleepers.append(Sleeper(until: until, continuation: continuation))
                    return Self.due(&state)
                }
                for watcher in watchers { watcher.resume() }
            }
        }
    }

    /// Moves time to `start + offset` and wakes every sleep that is due.
    func advance(to offset: Duration) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now = start + offset
            let instant = state.now
            let due = state.sleepers.filter { $0.until <= instant }.map(\.continuation)
            state.sleepers.removeAll { $0.until <= instant }
            return due
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once `count` sleeps are pending.
    func waitForSleepers(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.sleepers.count >= count { return true }
                state.watchers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// When the pending sleeps end, relative to `start`, earliest first.
    var pendingWakeups: [Duration] { state.withLock { $0.sleepers.map { start.duration(to: $0.until) }.sorted() } }

    private static func due(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let count = state.sleepers.count
        let ready = state.watchers.filter { $0.count <= count }.map(\.continuation)
        state.watchers.removeAll { $0.count <= count }
        return ready
    }
}

/// Records which requests got through the limiter, in order.
final class Passed: Sendable {
    private let names = Mutex<[String]>([])
    func add(_ name: String) { names.withLock { $0.append(name) } }
    var all: [String] { names.withLock { $0 } }
}

@Suite(.timeLimit(.minutes(1))) struct RateLimiterTests {
    /// A request that reaches the limiter after its deadline (a loaded machine) timed
    /// out; it was not refused by our rate limit, and must not be reported as such.
    @Test func aDeadlineAlreadyPastIsATimeoutNotARateLimit() async throws {
        let clock = LimiterClock()
        let limiter = RateLimiter(qps: 10, burst: 40, now: clock.now, sleep: clock.sleep)
        clock.advance(to: .seconds(1))
        await #expect {
            try await limiter.acquire(deadline: clock.start + .milliseconds(300))
        } throws: { error in
            (error as? SysdigError)?.code == .timeout
        }
        try await limiter.acquire(deadline: clock.start + .seconds(2))
        #expect(limiter.waitCount == 0)
    }

    @Test func burstThenSpacedAtQPS() async throws {
        let clock = LimiterClock()
        let limiter = RateLimiter(qps: 10, burst: 2, now: clock.now, sleep: clock.sleep)
        let deadline = clock.start + .seconds(10)
        try await limiter.acquire(deadline: deadline)
        try await limiter.acquire(deadline: deadline)
        let third = Task { try await limiter.acquire(deadline: deadline) }
        await clock.waitForSleepers(1)
        #expect(clock.pendingWakeups == [.milliseconds(100)])
        clock.advance(to: .milliseconds(100))
        try await third.value
        #expect(limiter.waitCount == 1)
    }

    /// Issue 7: requests already waiting for their slot when a 429's Retry-After arrives
    /// must not go out before the pause ends.
    @Test func pauseSetWhileRequestsWaitHoldsThemBack() async throws {
        let clock = LimiterClock()
        let limiter = RateLimiter(qps: 10, burst: 1, now: clock.now, sleep: clock.sleep)
        let deadline = clock.start + .seconds(10)
        let passed = Passed()
        try await limiter.acquire(deadline: deadline)
        passed.add("first")
        let waiting = (1...2).map { index in
            Task {
                try await limiter.acquire(deadline: deadline)
                passed.add("waiter\(index)")
            }
        }
        await clock.waitForSleepers(2)
        #expect(clock.pendingWakeups == [.milliseconds(100), .milliseconds(200)])
        // The first request's answer was a 429 with Retry-After: 1 s.
        limiter.pause(until: clock.start + .seconds(1))
        clock.advance(to: .milliseconds(250))
        // Both waiters woke at their old slots, saw the pause, and queue again behind it.
        await clock.waitForSleepers(2)
        #expect(passed.all == ["first"])
        let wakeups = clock.pendingWakeups
        #expect(wakeups.allSatisfy { $0 >= .seconds(1) }, "\(wakeups)")
        clock.advance(to: .seconds(5))
        for task in waiting { try await task.value }
        #expect(passed.all.count == 3)
        // Still one at a time after the pause: the second waiter's new slot is a full interval later.
        #expect(wakeups.count == 2 && wakeups[1] - wakeups[0] >= .milliseconds(100), "\(wakeups)")
    }

    @Test func pauseBeyondTheDeadlineRefusesAWaitingRequest() async throws {
        let clock = LimiterClock()
        let limiter = RateLimiter(qps: 10, burst: 1, now: clock.now, sleep: clock.sleep)
        try await limiter.acquire(deadline: clock.start + .seconds(2))
        let waiter = Task { try await limiter.acquire(deadline: clock.start + .seconds(2)) }
        await clock.waitForSleepers(1)
        limiter.pause(until: clock.start + .seconds(30))
        clock.advance(to: .milliseconds(100))
        let error = await #expect(throws: SysdigError.self) { try await waiter.value }
        #expect(error?.code == .rateLimited)
        // The Retry-After it reports is the time left in the pause.
        #expect(error?.retryAfter == .milliseconds(29_900))
    }

    @Test func newRequestsDuringAPauseWaitForItsEnd() async throws {
        let clock = LimiterClock()
        let limiter = RateLimiter(qps: 10, burst: 5, now: clock.now, sleep: clock.sleep)
        limiter.pause(until: clock.start + .seconds(1))
        let waiter = Task { try await limiter.acquire(deadline: clock.start + .seconds(2)) }
        await clock.waitForSleepers(1)
        #expect(clock.pendingWakeups == [.seconds(1)])
        clock.advance(to: .seconds(1))
        try await waiter.value
        await #expect(throws: SysdigError.self) {
            limiter.pause(until: clock.start + .seconds(10))
            try await limiter.acquire(deadline: clock.start + .seconds(2))
        }
    }
}
