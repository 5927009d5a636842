import Shared
import Synchronization

/// Waits for a shared task's result, but no longer than a deadline. Awaiting an
/// unstructured task cannot be cancelled, so the wait is a continuation that whichever
/// comes first, the result or the deadline, resumes; the shared task is left running.
final class DeadlineJoin<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Result<Value, any Error>, Never>?>(nil)
    private let timer = Mutex<Task<Void, Never>?>(nil)

    private init() {}

    static func wait(
        for task: Task<Value, any Error>, until deadline: ContinuousClock.Instant
    ) async -> Result<Value, any Error> {
        let join = DeadlineJoin()
        let result = await withCheckedContinuation { continuation in
            join.continuation.withLock { $0 = continuation }
            Task { join.resume(await task.result) }
            let timer = Task {
                // Cancelled once the answer arrived; otherwise the deadline wins.
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                join.resume(.failure(SysdigError(
                    code: .timeout, message: "the Sysdig request this one joined did not finish before its deadline")))
            }
            join.timer.withLock { $0 = timer }
        }
        join.timer.withLock { $0 }?.cancel()
        return result
    }

    /// The first result wins; later ones are dropped.
    private func resume(_ result: Result<Value, any Error>) {
        continuation.withLock { $0.take() }?.resume(returning: result)
    }
}
