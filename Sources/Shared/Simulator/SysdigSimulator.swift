import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Shared

/// An in-process stand-in for Sysdig Monitor: plain HTTP on 127.0.0.1, the Data API
/// (`POST /api/data`) and metric descriptors (`GET /api/v2/metrics/descriptors`),
/// answering from a scripted `World` and validating requests as Sysdig would.
///
/// Run it as a `Service` in a `ServiceGroup` (the `demo` command) and read the port
/// with `listeningPort()`, or wrap test code in `withRunning { port in ... }`.
/// Tests can inspect `requests`, wait with `waitForRequests(count:)` and inject faults.
public final class SysdigSimulator: Service, Sendable {
    struct State {
        var world: World
        var requests: [RecordedRequest] = []
        var requestWaiters: [(count: Int, continuation: CheckedContinuation<[RecordedRequest], Never>)] = []
        var faults: [(fault: Fault, persistent: Bool)] = []
    }

    /// Thrown by `listeningPort()` when the server stopped before it was listening.
    public struct NotRunningError: Error, CustomStringConvertible {
        /// What happened.
        public var description: String
    }

    let token: String
    let clock: @Sendable () -> Date
    let logger: Logger
    private let requestedPort: Int
    let state: Mutex<State>
    private let port = ListeningPort()

    /// - Parameters:
    ///   - token: the only API token accepted (`Authorization: Bearer <token>`).
    ///   - world: the entities and metrics answered from.
    ///   - port: 0 (default) for an ephemeral port.
    ///   - clock: "now" for windows and value functions; inject a fixed clock in tests.
    ///   - logger: for Hummingbird's own lines; quiet (warning) by default.
    public init(
        token: String, world: World, port: Int = 0,
        clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = SysdigSimulator.makeQuietLogger()
    ) {
        self.token = token
        self.requestedPort = port
        self.clock = clock
        self.logger = logger
        self.state = Mutex(State(world: world))
    }

    /// A logger that only reports warnings and worse.
    public static func makeQuietLogger() -> Logger {
        var logger = Logger(label: "sysdig-simulator")
        logger.logLevel = .warning
        return logger
    }

    /// The world requests are answered from.
    public var world: World {
        state.withLock { $0.world }
    }

    /// Serves until cancelled or gracefully shut down.
    public func run() async throws {
        let app = Application(
            responder: SysdigSimulatorResponder(simulator: self),
            configuration: .init(address: .hostname("127.0.0.1", port: requestedPort), serverName: nil),
            onServerRunning: { [port] channel in port.opened(channel.localAddress?.port ?? 0) },
            logger: logger)
        defer { port.closed(NotRunningError(description: "the Sysdig simulator stopped before listening")) }
        try await app.run()
    }

    /// The bound port, waiting until the server listens.
    ///
    /// - Throws: `NotRunningError` if the server stops before listening.
    public func listeningPort() async throws -> Int {
        try await port.wait()
    }

    /// Runs the simulator for the duration of `body`, which receives the bound port,
    /// then shuts it down gracefully (in-flight `delay` faults are cut short).
    public func withRunning<T: Sendable>(_ body: (Int) async throws -> T) async throws -> T {
        try await withRunningService(self, port: port, logger: logger, body)
    }
}
