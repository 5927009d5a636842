import Foundation
import Logging
@testable import Operator
@_spi(Testing) import Shared
import Synchronization

/// A logger that stays quiet unless something is wrong.
func quietLogger(_ label: String = "operator-tests") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}

/// A sleeper that never sleeps: it records each requested wait and yields. It throws
/// (ending the caller's loop) past `budget` calls, so a tight retry loop fails the
/// test instead of spinning forever.
final class RecordingSleeper: Sendable {
    private let waits = Mutex<[Duration]>([])
    let budget: Int

    init(budget: Int = 2_000) {
        self.budget = budget
    }

    var recorded: [Duration] { waits.withLock { $0 } }

    var sleeper: Sleeper {
        { duration in
            let count = self.waits.withLock { waits -> Int in
                waits.append(duration)
                return waits.count
            }
            if count > self.budget { throw CancellationError() }
            await Task.yield()
        }
    }
}

/// A sleeper the test opens and closes: while closed every caller suspends (until
/// opened or cancelled), so the test can hold a watcher in its backoff.
final class GatedSleeper: Sendable {
    private struct State {
        var open = false
        var nextID = 0
        var sleeping: [Int: CheckedContinuation<Void, Never>] = [:]
        var observers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var total = 0
    }

    private let state = Mutex(State())

    var sleeper: Sleeper {
        { _ in try await self.sleep() }
    }

    private func sleep() async throws {
        let id = state.withLock { state -> Int? in
            state.total += 1
            guard !state.open else { return nil }
            state.nextID += 1
            return state.nextID
        }
        defer { notify() }
        guard let id else { return await Task.yield() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.open || Task.isCancelled { return true }
                    state.sleeping[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() } else { notify() }
            }
        } onCancel: {
            state.withLock { $0.sleeping.removeValue(forKey: id) }?.resume()
        }
        try Task.checkCancellation()
    }

    /// Returns once at least `count` callers have slept (or are sleeping) in total.
    func waitForSleepers(_ count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.total >= count { return true }
                state.observers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Lets every sleeper (and every later one) through.
    func open() {
        let sleeping = state.withLock { state in
            state.open = true
            defer { state.sleeping = [:] }
            return Array(state.sleeping.values)
        }
        for continuation in sleeping { continuation.resume() }
    }

    private func notify() {
        let due = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let total = state.total
            let due = state.observers.filter { $0.count <= total }.map(\.continuation)
            state.observers.removeAll { $0.count <= total }
            return due
        }
        for continuation in due { continuation.resume() }
    }
}

/// A wall clock the test steps by hand.
final class TestClock: Sendable {
    private let offset = Mutex<Duration>(.zero)
    private let baseInstant = ContinuousClock.now
    private let baseDate = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z

    func advance(by duration: Duration) { offset.withLock { $0 += duration } }

    var instant: @Sendable () -> ContinuousClock.Instant { { self.baseInstant + self.offset.withLock { $0 } } }

    var date: @Sendable () -> Date {
        {
            let elapsed = self.offset.withLock { $0 }
            return self.baseDate.addingTimeInterval(
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}

/// A creation clock for the test server: every call is one second later than the
/// previous one, except that each value is handed out `repeats` times (ties).
final class TickingDates: Sendable {
    private let calls = Mutex(0)
    let repeats: Int

    init(repeats: Int = 1) {
        self.repeats = repeats
    }

    var now: @Sendable () -> Date {
        {
            let call = self.calls.withLock { calls -> Int in
                defer { calls += 1 }
                return calls
            }
            return Date(timeIntervalSince1970: 1_714_564_800 + Double(call / self.repeats))
        }
    }
}

/// Runs `service` in a child task for the duration of `body`, then cancels it and
/// waits for it to end.
func withRunning<T: Sendable>(
    _ services: [any ServiceRunning], _ body: () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for service in services { group.addTask { try await service.run() } }
        do {
            let value = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return value
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Anything with `run()` (the ServiceLifecycle services under test).
protocol ServiceRunning: Sendable {
    func run() async throws
}

extension MappingController: ServiceRunning {}
extension StatusWriter: ServiceRunning {}
extension LeaderElector: ServiceRunning {}

extension ConfigStore {
    /// The first published snapshot (after the store is loaded) that satisfies
    /// `predicate`, waiting on publishes rather than polling.
    @discardableResult
    func waitUntil(_ predicate: (ConfigSnapshot) -> Bool) async -> ConfigSnapshot {
        while true {
            let loaded = isLoaded
            let current = snapshot
            if loaded, predicate(current) { return current }
            await waitForVersion(current.version + 1)
        }
    }
}

extension ConfigSnapshot {
    /// Every entry as a short word: `ready`, `invalid` or `conflicting:<winner>`.
    var summary: [MappingKey: String] {
        entries.mapValues { entry in
            switch entry.state {
            case .ready: "ready"
            case .invalid: "invalid"
            case .conflicting(let winner): "conflicting:\(winner)"
            }
        }
    }
}

extension JSONValue {
    /// The condition of `type` in `status.conditions`.
    func condition(_ type: String) -> JSONValue? {
        self["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }
}
