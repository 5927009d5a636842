import Synchronization

/// A counter that tasks can wait on: `wait(for:)` returns once the count reaches a
/// value. The controller counts completed publish cycles with it, so callers (and
/// tests) await "synced and published" instead of polling or sleeping.
final class ProgressCounter: Sendable {
    private struct State {
        var count = 0
        var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.count } }

    /// Adds one and wakes the waiters whose target is reached.
    func increment() {
        let due = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count += 1
            let count = state.count
            let due = state.waiters.filter { $0.target <= count }.map(\.continuation)
            state.waiters.removeAll { $0.target <= count }
            return due
        }
        for continuation in due { continuation.resume() }
    }

    /// Suspends until the count is at least `target`.
    func wait(for target: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.count >= target { return true }
                state.waiters.append((target, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
