import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import Shared
import Testing

@testable import MetricsServer
import SysdigSimulator
import TestSupport

/// The real `AdapterServer` over HTTPS with delegated authentication and authorization
/// against `KubeAPITestServer`, and the Sysdig simulator behind it.
struct SecureAdapter: Sendable {
    static let sysdigToken = "sysdig-token-7f3a9c2e-0000-4abc-9def-1234567890ab"
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    let kube: KubeAPITestServer
    let simulator: SysdigSimulator
    let settings: AuthenticationSettingsStore
    let watcherAPI: any KubernetesAPI
    let time: ManualTime
    let logs: LogCapture
    let port: Int

    struct Options: Sendable {
        var settings = AuthenticationSettings()
        var authenticate = true
        var authorize = true
        var mappings: [MetricMapping] = SecureAdapter.defaultMappings()
    }

    static func defaultMappings() -> [MetricMapping] {
        [
            MetricMapping(
                kind: .cluster, metadata: ObjectMeta(name: "pod-cpu"),
                spec: MappingSpec(
                    metricName: "cpu_usage", sysdig: SysdigBackendSpec(metric: "cpu.used.percent"),
                    objects: [ObjectTarget(resource: "pods"), ObjectTarget(resource: "services")])),
            MetricMapping(
                kind: .namespaced, metadata: ObjectMeta(name: "queue", namespace: "shop"),
                spec: MappingSpec(
                    metricName: "queue_depth", sysdig: SysdigBackendSpec(metric: "rabbitmq.queue.messages", groupAggregation: "sum"),
                    objects: [ObjectTarget(resource: "services")], external: true)),
        ]
    }

    static func with(_ options: Options = Options(), _ body: @Sendable (SecureAdapter) async throws -> Void) async throws {
        let logs = LogCapture()
        let time = ManualTime()
        let simulator = SysdigSimulator(token: sysdigToken, world: SysdigSimulator.demo(clusterName: "demo"), clock: { now })
        let kube = KubeAPITestServer()
        try await simulator.withRunning { sysdigPort in
            try await kube.withRunning { kubePort in
                let client = try KubernetesClient(configuration: kube.configuration(port: kubePort), logger: logs.logger("kube"))
                do {
                    try await run(options, logs: logs, time: time, simulator: simulator, sysdigPort: sysdigPort,
                                  kube: kube, client: client, body)
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        }
    }

    private static func run(
        _ options: Options, logs: LogCapture, time: ManualTime, simulator: SysdigSimulator, sysdigPort: Int,
        kube: KubeAPITestServer, client: KubernetesClient, _ body: @Sendable (SecureAdapter) async throws -> Void
    ) async throws {
        let logger = logs.logger("adapter")
        let sysdig = SysdigClient(
            baseURL: "http://127.0.0.1:\(sysdigPort)", token: StaticSysdigToken(sysdigToken), httpClient: .shared,
            logger: logs.logger("sysdig"), now: { now })
        let store = ConfigStore()
        store.publish(ConfigSnapshot.build(version: 1, mappings: options.mappings.map { ($0, nil) }))
        let settings = AuthenticationSettingsStore(options.settings)
        var serverOptions = AdapterServerOptions()
        serverOptions.bindAddress = "127.0.0.1"
        serverOptions.port = 0
        serverOptions.provider = MetricsProvider.Configuration(cacheTTL: .zero, clusterName: "demo")
        if options.authenticate {
            serverOptions.authenticator = RequestAuthenticator(
                settings: settings,
                tokens: TokenReviewer(
                    api: client, successTTL: .seconds(10), failureTTL: .seconds(5), now: time.now, logger: logger))
        }
        if options.authorize {
            serverOptions.authorizer = SubjectAccessReviewer(
                api: client, allowedTTL: .seconds(10), deniedTTL: .seconds(5), now: time.now)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try AdapterServer(
            store: store, sysdig: sysdig, options: serverOptions, logger: logger,
            onServerRunning: { port in continuation.yield(port) })
        try await LiveServer.serve(server.application, ports: ports, logger: logger) { port in
            let adapter = SecureAdapter(
                kube: kube, simulator: simulator, settings: settings, watcherAPI: client, time: time, logs: logs, port: port)
            try await body(adapter)
        }
    }

    struct Reply: Sendable {
        var status: Int
        var body: String
        var json: JSONValue? { try? JSONValue.parse(json: Data(body.utf8)) }
    }

    /// One request on a fresh connection (so a fresh handshake with `identity`).
    func request(
        _ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], identity: TestIdentity? = nil,
        token: String? = nil
    ) async throws -> Reply {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        try identity?.apply(to: &tls)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            return Reply(status: Int(response.status.code), body: String(buffer: body))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Answers every SubjectAccessReview with `allowed`.
    func allowAll(_ allowed: Bool = true) {
        kube.setSubjectAccessReviewHandler { _ in .object(["allowed": .bool(allowed)]) }
    }
}
