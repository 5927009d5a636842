import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import Shared
import Synchronization

@testable import MetricsServer
import TestSupport

/// A gate tests open by hand: `pass()` suspends until `open()`; arrivals are counted and can
/// be awaited, so tests wait on events, never on time.
final class TestGate: Sendable {
    private struct State {
        var isOpen = false
        var arrived = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var watchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// Suspends until the gate is open (returns at once if it is).
    func pass() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (proceed, ready) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                state.arrived += 1
                let arrived = state.arrived
                let ready = state.watchers.filter { $0.count <= arrived }.map(\.continuation)
                state.watchers.removeAll { $0.count <= arrived }
                if state.isOpen { return (true, ready) }
                state.waiters.append(continuation)
                return (false, ready)
            }
            for watcher in ready { watcher.resume() }
            if proceed { continuation.resume() }
        }
    }

    /// Lets everyone waiting, and everyone after, through.
    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once at least `count` callers reached the gate.
    func waitUntilArrived(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let satisfied = state.withLock { state in
                if state.arrived >= count { return true }
                state.watchers.append((count, continuation))
                return false
            }
            if satisfied { continuation.resume() }
        }
    }
}

/// Forwards to a real Kubernetes client, holding TokenReview and SubjectAccessReview
/// creations at their gates (nil: not held).
struct GatedKubeAPI: KubernetesAPI {
    let base: any KubernetesAPI
    var tokenReviewGate: TestGate?
    var accessReviewGate: TestGate?

    func get(_ resource: KubeGVR, namespace: String?, name: String) async throws -> JSONValue {
        try await base.get(resource, namespace: namespace, name: name)
    }

    func list(_ resource: KubeGVR, namespace: String?, options: ListOptions) async throws -> KubeObjectList {
        try await base.list(resource, namespace: namespace, options: options)
    }

    func watch(
        _ resource: KubeGVR, namespace: String?, options: WatchOptions
    ) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
        try await base.watch(resource, namespace: namespace, options: options)
    }

    func create(_ resource: KubeGVR, namespace: String?, object: JSONValue) async throws -> JSONValue {
        if resource == .tokenReviews { await tokenReviewGate?.pass() }
        if resource == .subjectAccessReviews { await accessReviewGate?.pass() }
        return try await base.create(resource, namespace: namespace, object: object)
    }

    func update(_ resource: KubeGVR, namespace: String?, name: String, object: JSONValue) async throws -> JSONValue {
        try await base.update(resource, namespace: namespace, name: name, object: object)
    }

    func updateStatus(_ resource: KubeGVR, namespace: String?, name: String, object: JSONValue) async throws -> JSONValue {
        try await base.updateStatus(resource, namespace: namespace, name: name, object: object)
    }

    func mergePatch(
        _ resource: KubeGVR, namespace: String?, name: String, subresource: String?, patch: JSONValue
    ) async throws -> JSONValue {
        try await base.mergePatch(resource, namespace: namespace, name: name, subresource: subresource, patch: patch)
    }

    func delete(_ resource: KubeGVR, namespace: String?, name: String) async throws {
        try await base.delete(resource, namespace: namespace, name: name)
    }
}

/// The real metrics server (`makeMetricsApplication`: TLS, connection guard, request guard,
/// delegated auth against `KubeAPITestServer`) with two test routes: `/apis/test/hold`
/// waits at ``hold`` and `/apis/test/ok` answers at once.
struct OverloadServer: Sendable {
    static let goodToken = "good-token-0000-aaaa"

    struct Options: Sendable {
        var limits = ServerLimits()
        var tls = TLSPolicy()
        var authenticate = false
        var authorize = false
        var limiter: KubeRateLimiter?
        var tokenReviewGate: TestGate?
        var accessReviewGate: TestGate?
    }

    let kube: KubeAPITestServer
    let load: ServerLoad
    let hold: TestGate
    let tokens: TokenReviewer?
    let access: SubjectAccessReviewer?
    let port: Int
    let logs: LogCapture

    static func with(_ options: Options, _ body: @Sendable (OverloadServer) async throws -> Void) async throws {
        let kube = KubeAPITestServer()
        kube.setTokenReviewHandler { token in
            token == goodToken
                ? KubeAPITestServer.authenticatedStatus(username: "hpa-controller")
                : .object(["authenticated": .bool(false), "error": .string("token not found")])
        }
        kube.setSubjectAccessReviewHandler { _ in .object(["allowed": .bool(true)]) }
        let logs = LogCapture()
        try await kube.withRunning { kubePort in
            let client = try KubernetesClient(configuration: kube.configuration(port: kubePort), logger: logs.logger("kube"))
            do {
                try await run(options, kube: kube, client: client, logs: logs, body)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    private static func run(
        _ options: Options, kube: KubeAPITestServer, client: KubernetesClient, logs: LogCapture,
        _ body: @Sendable (OverloadServer) async throws -> Void
    ) async throws {
        let logger = logs.logger("server")
        let api = GatedKubeAPI(
            base: client, tokenReviewGate: options.tokenReviewGate, accessReviewGate: options.accessReviewGate)
        let tokens = options.authenticate ? TokenReviewer(api: api, limiter: options.limiter, logger: logger) : nil
        let access = options.authorize ? SubjectAccessReviewer(api: api, limiter: options.limiter) : nil
        let hold = TestGate()
        let router = Router(context: AdapterRequestContext.self)
        router.add(middleware: DelegatedAuthMiddleware(
            authenticator: tokens.map { RequestAuthenticator(settings: AuthenticationSettingsStore(), tokens: $0) },
            authorizer: access, logger: logger))
        router.addHealthRoutes(HealthChecks())
        router.get("/apis/test/hold") { _, _ in
            await hold.pass()
            return "held"
        }
        router.get("/apis/test/ok") { _, _ in "ok" }
        let load = ServerLoad()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try makeMetricsApplication(
            router: router,
            configuration: MetricsServerConfiguration(
                bindAddress: "127.0.0.1", port: 0, limits: options.limits, tls: options.tls),
            certificates: ServingCertificateStore(certificate: try SelfSignedCertificateGenerator.generate(host: "localhost")),
            requestClientCertificates: tokens != nil, load: load, logger: logger,
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        try await LiveServer.serve(application, ports: ports, logger: logger) { port in
            let server = OverloadServer(
                kube: kube, load: load, hold: hold, tokens: tokens, access: access, port: port, logs: logs)
            do {
                try await body(server)
            } catch {
                hold.open()
                throw error
            }
            hold.open()
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: JSONValue? { try? JSONValue.parse(json: Data(body.utf8)) }
    }

    /// One GET over HTTPS on a fresh client (so a fresh connection).
    func get(_ path: String, token: String? = nil) async throws -> Reply {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await client.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            try await client.shutdown()
            return Reply(status: Int(response.status.code), headers: headers, body: String(buffer: body))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// Raw client connections for the connection-level tests.
enum RawConnection {
    /// A TCP connection that sends nothing.
    static func tcp(port: Int) async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// A TLS connection; returns once the handshake completed, or throws its failure.
    /// `received` collects the decrypted bytes the server sends.
    static func tls(
        port: Int, configure: (inout TLSConfiguration) -> Void = { _ in }
    ) async throws -> (channel: any Channel, received: ReceivedBytes) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        configure(&configuration)
        let context = try NIOSSLContext(configuration: configuration)
        let received = ReceivedBytes()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = eventLoop.makePromise(of: Void.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: nil))
                        try channel.pipeline.syncOperations.addHandler(Collector(handshake: handshake, received: received))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            handshake.fail(error)
            throw error
        }
        do {
            try await handshake.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return (channel, received)
    }

    /// Sends `text` on a TLS connection from ``tls(port:configure:)``.
    static func send(_ text: String, on channel: any Channel) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Bytes received on a raw TLS connection.
    final class ReceivedBytes: Sendable {
        private let bytes = Mutex("")

        var text: String { bytes.withLock { $0 } }

        func append(_ text: String) {
            bytes.withLock { $0 += text }
        }
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let handshake: EventLoopPromise<Void>
        let received: ReceivedBytes

        init(handshake: EventLoopPromise<Void>, received: ReceivedBytes) {
            self.handshake = handshake
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received.append(String(buffer: unwrapInboundIn(data)))
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .handshakeCompleted = event as? TLSUserEvent { handshake.succeed(()) }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            handshake.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            handshake.fail(ChannelError.ioOnClosedChannel)
            context.fireChannelInactive()
        }
    }
}
