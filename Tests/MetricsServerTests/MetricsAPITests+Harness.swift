import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Shared
import Synchronization
import Testing

@testable import MetricsServer
import SysdigSimulator

/// A real `AdapterServer` over TLS on 127.0.0.1:0, backed by a running `SysdigSimulator`
/// through the real `SysdigClient`, with mappings published into a `ConfigStore`.
/// Every response body is kept, so each run can check that the Sysdig token never leaks.
final class MetricsAPIHarness: Sendable {
    /// 2024-05-01T12:00:05Z: the simulator's "now", so timestamps are byte-exact.
    static let now = Date(timeIntervalSince1970: 1_714_564_805)
    static let token = "sdc-secret-" + UUID().uuidString.lowercased()
    static let logger: Logger = {
        var logger = Logger(label: "metrics-api-tests")
        logger.logLevel = .critical
        return logger
    }()

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String

        /// The body parsed as a JSON object (nil when it is not one).
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }

        var items: [[String: Any]] { json?["items"] as? [[String: Any]] ?? [] }

        /// Whether client-go (the HPA controller's metrics clients) would sleep and send
        /// this request again: `rest.Request` retries, up to 10 times, a 429 or a 5xx that
        /// carries an integer `Retry-After` (client-go rest/request.go `checkWait`,
        /// rest/with_retry.go `IsNextRetry`). The metrics clients set no deadline, so each
        /// such answer ties up an HPA worker for the sum of those sleeps.
        var clientGoRetries: Bool {
            guard status == 429 || status >= 500, let value = headers["retry-after"] else { return false }
            return Int(value.trimmingCharacters(in: .whitespaces)) != nil
        }
    }

    let simulator: SysdigSimulator
    let server: AdapterServer
    let store: ConfigStore
    let port: Int
    let client: HTTPClient
    private let bodies: Mutex<[String]>

    /// Every `/api/data` request the simulator received.
    var dataRequests: [SysdigSimulator.RecordedRequest] {
        simulator.requests.filter { $0.path == "/api/data" }
    }

    /// The `filter` of every `/api/data` request, in order.
    var filters: [String?] { dataRequests.map { $0.jsonBody?["filter"] as? String } }

    /// Runs `body` against a fresh server and simulator, then shuts both down and
    /// checks that no response carried the Sysdig token.
    static func run(
        world: SysdigSimulator.World = MetricsAPIFixtures.world,
        mappings: String = MetricsAPIFixtures.mappings,
        clientToken: String = MetricsAPIHarness.token,
        simulatorClock: @escaping @Sendable () -> Date = { now },
        configure: (inout AdapterServerOptions) -> Void = { _ in },
        _ body: (MetricsAPIHarness) async throws -> Void
    ) async throws {
        let simulator = SysdigSimulator(token: token, world: world, clock: simulatorClock)
        try await simulator.withRunning { sysdigPort in
            let store = ConfigStore()
            store.publish(try snapshot(mappings, version: 1))
            let sysdigHTTP = HTTPClient(eventLoopGroupProvider: .singleton)
            let sysdig = SysdigClient(
                baseURL: "http://127.0.0.1:\(sysdigPort)", token: StaticSysdigToken(clientToken),
                httpClient: sysdigHTTP, logger: logger)
            var options = AdapterServerOptions()
            options.bindAddress = "127.0.0.1"
            options.port = 0
            options.provider = MetricsProvider.Configuration(
                cacheTTL: .seconds(10), sysdigTimeout: .seconds(10), clusterName: "prod")
            configure(&options)
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let server: AdapterServer
            let client: HTTPClient
            do {
                server = try AdapterServer(
                    store: store, sysdig: sysdig, options: options, logger: logger,
                    onServerRunning: { port in
                        portContinuation.yield(port)
                        portContinuation.finish()
                    })
                client = try makeClient(trusting: try #require(server.certificates.current.caCertificatePEM))
            } catch {
                try await sysdigHTTP.shutdown()
                throw error
            }
            let group = ServiceGroup(configuration: .init(services: [server.application], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let harness = await iterator.next().map { port in
                    MetricsAPIHarness(simulator: simulator, server: server, store: store, port: port, client: client)
                }
                let outcome: Result<Void, any Error>
                do {
                    guard let harness else { throw HarnessError("the metrics server stopped before listening") }
                    try await body(harness)
                    outcome = .success(())
                } catch {
                    outcome = .failure(error)
                }
                // Clients first: the server's graceful shutdown then has no idle
                // keep-alive connections to wait for.
                await #expect(throws: Never.self) { try await client.shutdown() }
                await #expect(throws: Never.self) { try await sysdigHTTP.shutdown() }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                try outcome.get()
                for text in harness?.bodies.withLock({ $0 }) ?? [] {
                    #expect(!text.contains(token), "a response carried the Sysdig token")
                    #expect(!text.contains(clientToken), "a response carried the configured token")
                }
            }
        }
    }

    private init(
        simulator: SysdigSimulator, server: AdapterServer, store: ConfigStore, port: Int, client: HTTPClient
    ) {
        self.simulator = simulator
        self.server = server
        self.store = store
        self.port = port
        self.client = client
        self.bodies = Mutex([])
    }

    /// A client that trusts only `caPEM` and verifies the hostname `localhost`.
    static func makeClient(trusting caPEM: String) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        tls.certificateVerification = .fullVerification
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Compiles YAML mapping documents into a snapshot.
    static func snapshot(_ yaml: String, version: Int) throws -> ConfigSnapshot {
        guard case .success(let documents) = MappingFileLoader.parse(text: yaml, file: "test.yaml").documents else {
            throw HarnessError("the mapping YAML does not parse")
        }
        var mappings: [(mapping: MetricMapping, origin: String?)] = []
        for document in documents {
            switch document.result {
            case .success(let mapping): mappings.append((mapping, nil))
            case .failure(let error): throw HarnessError("invalid mapping: \(error)")
            }
        }
        let snapshot = ConfigSnapshot.build(version: version, mappings: mappings)
        guard snapshot.readyMappings.count == mappings.count else {
            throw HarnessError("not every mapping is ready: \(snapshot.sortedEntries.map(\.state))")
        }
        return snapshot
    }

    /// Publishes new mappings as the next snapshot.
    func publish(_ yaml: String) throws {
        store.publish(try Self.snapshot(yaml, version: store.nextVersion))
    }

    /// GET (or `method`) `path` below `https://localhost:PORT`, over TLS.
    func get(_ path: String, accept: String? = "application/json", method: String = "GET") async throws -> Reply {
        var request = HTTPClientRequest(url: "https://localhost:\(port)\(path)")
        request.method = .init(rawValue: method)
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 64 << 20))
        bodies.withLock { $0.append(body) }
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, body: body)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A clock tests move by hand, for `QueryCache(now:)`.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { instant.withLock { $0 } }

    func advance(by duration: Duration) {
        instant.withLock { $0 = $0 + duration }
    }
}
