import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

@testable import MetricsServer
import TestSupport

/// An HTTPS client of a ``SecureAdapter`` that presents a certificate chain and keeps one
/// connection alive across its requests (at most one connection to the adapter at a time).
struct ClientCertificateKeepAliveClient: Sendable {
    let adapter: SecureAdapter
    private let client: HTTPClient

    /// Runs `body` with a client presenting `chain` (nil: no certificate), then shuts it down.
    static func with(
        _ adapter: SecureAdapter, presenting chain: TestChain?,
        _ body: (ClientCertificateKeepAliveClient) async throws -> Void
    ) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        try chain?.apply(to: &tls)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await body(ClientCertificateKeepAliveClient(adapter: adapter, client: client))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// One GET of `path` with `headers`, on the kept-alive connection.
    func get(_ path: String, headers: [(String, String)] = []) async throws -> SecureAdapter.Reply {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(adapter.port)\(path)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return SecureAdapter.Reply(status: Int(response.status.code), body: String(buffer: body))
    }
}
