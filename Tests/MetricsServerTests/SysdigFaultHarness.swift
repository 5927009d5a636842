import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import Shared
import Synchronization
import Testing

@testable import MetricsServer
import SysdigSimulator

/// The real `AdapterServer` over HTTPS in front of the real `SysdigClient` and the
/// simulator, with the cache clock under the test's control, for fault-injection tests.
struct SysdigFaultHarness: Sendable {
    static let token = "0f1e2d3c-0000-4aaa-8bbb-ccccdddd0001"
    static let pod = "web-5d8f6-abc12"
    static let path = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/\(pod)/cpu_usage"

    /// Cache time that only moves when the test says so (on top of real time).
    final class CacheClock: Sendable {
        private let offset = Mutex(Duration.zero)

        func now() -> ContinuousClock.Instant { .now + offset.withLock { $0 } }

        func advance(by duration: Duration) { offset.withLock { $0 += duration } }
    }

    struct Reply: Sendable {
        var status: Int
        var retryAfter: String?
        /// `kind`, `code` and `message` of the JSON body, when present.
        var kind: String?
        var code: Int?
        var message: String?
        var elapsed: Duration
    }

    let simulator: SysdigSimulator
    let port: Int
    let client: HTTPClient
    let cacheClock: CacheClock
    let timeout: Duration
    let cacheTTL: Duration
    let qps: Double
    let burst: Int

    static func mappings() -> [MetricMapping] {
        [
            MetricMapping(
                kind: .cluster, metadata: ObjectMeta(name: "pod-cpu"),
                spec: MappingSpec(
                    metricName: "cpu_usage", sysdig: SysdigBackendSpec(metric: "cpu.used.percent"),
                    objects: [ObjectTarget(resource: "pods")])),
        ]
    }

    /// Runs `body` against a fresh simulator and adapter; everything is shut down afterwards.
    static func with(
        timeout: Duration, cacheTTL: Duration, qps: Double, burst: Int,
        _ body: @Sendable (SysdigFaultHarness) async throws -> Void
    ) async throws {
        let logger = Logger(label: "sysdig-fault-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo())
        try await simulator.withRunning { sysdigPort in
            let sysdig = SysdigClient(
                baseURL: "http://127.0.0.1:\(sysdigPort)", token: StaticSysdigToken(token), httpClient: .shared,
                logger: logger)
            let store = ConfigStore()
            store.publish(ConfigSnapshot.build(version: 1, mappings: mappings().map { ($0, nil) }))
            var options = AdapterServerOptions()
            options.bindAddress = "127.0.0.1"
            options.port = 0
            options.sysdigQPS = qps
            options.sysdigBurst = burst
            options.provider = MetricsProvider.Configuration(cacheTTL: cacheTTL, sysdigTimeout: timeout, clusterName: "demo")
            let cacheClock = CacheClock()
            options.cache = QueryCache(now: { cacheClock.now() })
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let server = try AdapterServer(
                store: store, sysdig: sysdig, options: options,
                logger: logger, onServerRunning: { port in continuation.yield(port) })
            let client = try makeClient(trusting: try #require(server.certificates.current.caCertificatePEM))
            do {
                try await LiveServer.serve(server.application, ports: ports, logger: logger) { port in
                    let harness = SysdigFaultHarness(
                        simulator: simulator, port: port, client: client, cacheClock: cacheClock, timeout: timeout,
                        cacheTTL: cacheTTL, qps: qps, burst: burst)
                    try await body(harness)
                }
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    private static func makeClient(trusting caPEM: String) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        tls.certificateVerification = .fullVerification
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        // Enough connections that no test request queues inside this client (the default
        // is 8 per host), so the measured time is the adapter's.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// One GET, timed from sending to the last body byte.
    func get(_ path: String = SysdigFaultHarness.path) async throws -> Reply {
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let elapsed = start.duration(to: clock.now)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return Reply(
            status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
            kind: object["kind"] as? String, code: object["code"] as? Int, message: object["message"] as? String,
            elapsed: elapsed)
    }

    /// Data API requests the simulator received so far.
    var dataRequests: [SysdigSimulator.RecordedRequest] {
        simulator.requests.filter { $0.path == "/api/data" }
    }

    /// The largest number of Data API requests inside any `window`-long interval.
    func busiestWindow(_ window: TimeInterval) -> Int {
        let times = dataRequests.map(\.time.timeIntervalSinceReferenceDate).sorted()
        var busiest = 0
        var first = 0
        for (last, time) in times.enumerated() {
            while time - times[first] >= window { first += 1 }
            busiest = max(busiest, last - first + 1)
        }
        return busiest
    }
}
