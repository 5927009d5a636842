import Dispatch
import Synchronization

/// Where client-certificate verification runs: a dedicated concurrent dispatch queue, so the
/// CPU-bound signature checks of path building never occupy Swift's cooperative pool (whose
/// few threads serve every request) and a slow verification can be abandoned at its deadline.
final class ClientCertificateVerificationExecutor: TaskExecutor {
    /// The executor every verification uses.
    static let shared = ClientCertificateVerificationExecutor()

    private let queue = DispatchQueue(
        label: "sysdig-adapter.client-certificate-verification", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs `work` in a task on this executor and returns its result, or `timedOut` once
    /// `deadline` passes first; the work's task is then cancelled and its result dropped.
    /// The caller never waits longer than `deadline` (plus scheduling).
    func run<T: Sendable>(
        deadline: Duration, timedOut: T, _ work: @escaping @Sendable () async -> T
    ) async -> T {
        let gate = DeadlineGate<T>()
        return await withCheckedContinuation { continuation in
            gate.arm(continuation)
            let worker = Task(executorPreference: self) {
                gate.open(with: await work())
            }
            queue.asyncAfter(deadline: .now() + Self.dispatchInterval(deadline)) {
                if gate.open(with: timedOut) { worker.cancel() }
            }
        }
    }

    /// `duration` for dispatch, clamped to what `DispatchTimeInterval` holds.
    static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return .nanoseconds(0) }
        guard seconds < Int64(Int.max / 1_000_000_000) - 1 else { return .never }
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}

/// Resumes a continuation exactly once, with whichever of the work and the deadline comes first.
private final class DeadlineGate<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func arm(_ continuation: CheckedContinuation<T, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    /// Resumes with `value` unless already resumed; true when this call resumed.
    @discardableResult
    func open(with value: T) -> Bool {
        let continuation = self.continuation.withLock { stored in
            defer { stored = nil }
            return stored
        }
        guard let continuation else { return false }
        continuation.resume(returning: value)
        return true
    }
}
