import Logging
import ServiceLifecycle
import Synchronization

/// The port an in-process server bound, and the callers waiting for it: the
/// shared start-up handshake of the test servers (`SysdigSimulator`,
/// `KubeAPITestServer`).
public final class ListeningPort: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, any Error>])>((nil, []))

    public init() {}

    /// The bound port, waiting until the server listens.
    ///
    /// - Throws: the error given to `closed(_:)` if the server stops before listening.
    public func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let port: Int? = state.withLock { state in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }

    /// The server listens on `port`: wakes every waiter.
    public func opened(_ port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The server stopped: waiters get `error`, later `wait()` calls block until it listens again.
    public func closed(_ error: any Error) {
        let waiters = state.withLock { state in
            state.port = nil
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}

/// Runs `service` in a service group of its own for the duration of `body`, which
/// receives the bound port, then shuts it down gracefully. `beforeShutdown` runs
/// first on both paths (e.g. to end streams the graceful shutdown would wait for).
public func withRunningService<T: Sendable>(
    _ service: some Service, port: ListeningPort, logger: Logger,
    beforeShutdown: () -> Void = {},
    _ body: (Int) async throws -> T
) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let result = try await body(try await port.wait())
            beforeShutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            beforeShutdown()
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            throw error
        }
    }
}
