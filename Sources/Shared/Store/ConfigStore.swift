import Synchronization

/// Holds the current `ConfigSnapshot`. Publishing swaps the snapshot atomically;
/// readers take it without awaiting. Waiters can suspend until a version appears
/// (tests use this instead of sleeping).
public final class ConfigStore: Sendable {
    private struct State {
        var snapshot: ConfigSnapshot = .empty
        var loaded = false
        var waiters: [(version: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The current snapshot.
    public var snapshot: ConfigSnapshot { state.withLock { $0.snapshot } }

    /// True once the first complete configuration was published (drives `/readyz`).
    public var isLoaded: Bool { state.withLock { $0.loaded } }

    /// The version the next published snapshot should carry.
    public var nextVersion: Int { state.withLock { $0.snapshot.version + 1 } }

    /// Publishes a new snapshot and marks the store loaded.
    public func publish(_ snapshot: ConfigSnapshot) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.snapshot = snapshot
            state.loaded = true
            let (due, waiting) = state.waiters.reduce(into: ([CheckedContinuation<Void, Never>](), [(Int, CheckedContinuation<Void, Never>)]())) {
                if $1.version <= snapshot.version { $0.0.append($1.continuation) } else { $0.1.append($1) }
            }
            state.waiters = waiting
            return due
        }
        for continuation in ready { continuation.resume() }
    }

    /// Suspends until a snapshot with at least `version` has been published.
    @_spi(Testing) public func waitForVersion(_ version: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.snapshot.version >= version { return true }
                state.waiters.append((version, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
