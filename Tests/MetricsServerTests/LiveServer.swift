import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

@testable import MetricsServer

/// Runs a real HTTPS metrics application on 127.0.0.1:0 for the duration of `body`.
enum LiveServer {
    static let logger = Logger(label: "metrics-server-tests")

    static func with(
        router: Router<BasicRequestContext>,
        certificates: ServingCertificateStore,
        _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try makeMetricsApplication(
            router: router,
            configuration: MetricsServerConfiguration(bindAddress: "127.0.0.1", port: 0),
            certificates: certificates,
            logger: logger,
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }
        )
        try await serve(app, ports: ports, logger: logger) { port in
            guard port > 0 else { throw ServingCertificateError(.generationFailed, "server did not report a port") }
            try await body(port)
        }
    }

    /// Runs `service` in a service group of its own until `body` returns, then shuts
    /// it down gracefully; `body` gets the first port `ports` yields.
    static func serve(
        _ service: some Service, ports: AsyncStream<Int>, logger: Logger, _ body: (Int) async throws -> Void
    ) async throws {
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            do {
                guard let port = await iterator.next() else {
                    throw ServingCertificateError(.generationFailed, "server stopped before it reported a port")
                }
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// One GET over a fresh client (so a fresh TLS handshake) that trusts only `caPEM`.
    ///
    /// Connection establishment is not retried: a rejected certificate fails the request at
    /// once with the handshake error. (With retries, AsyncHTTPClient keeps trying until its
    /// connect timeout and, on a loaded machine, may report `connectTimeout` instead.)
    static func get(_ url: String, trusting caPEM: String, connectTimeout: TimeAmount = .seconds(10)) async throws -> Reply {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        tls.certificateVerification = .fullVerification
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout.connect = connectTimeout
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            try await client.shutdown()
            return Reply(status: Int(response.status.code), headers: headers, body: String(buffer: body))
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    /// True when the client refused the server's certificate (not a timeout or refused connection).
    static func isCertificateRejection(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        return text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("handshakeFailed")
    }
}
