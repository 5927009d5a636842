import AsyncHTTPClient
import Foundation
import NIOCore
import Shared
import SysdigSimulator

/// A plain-HTTP client with one keep-alive connection to the Sysdig simulator, for
/// replaying the adapter's own Sysdig requests and timing the simulator alone.
final class DirectHTTP: Sendable {
    /// Headers the client sets itself for the connection it uses.
    private static let connectionHeaders: Set<String> = ["host", "content-length", "connection", "transfer-encoding"]

    private let client: HTTPClient
    private let base: String
    private let token: String

    /// A client for the simulator on `port`, which accepts `token`.
    init(port: Int, token: String) {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        base = "http://127.0.0.1:\(port)"
        self.token = token
    }

    /// Sends `request` again (method, path and query, headers, body) and returns the
    /// status once the whole body is read. The simulator records only a redacted
    /// `Authorization`, so the real token goes in its place.
    func replay(_ request: SysdigSimulator.RecordedRequest, timeout: Duration = .seconds(30)) async throws -> Int {
        var outgoing = HTTPClientRequest(url: base + request.path + (request.query.map { "?" + $0 } ?? ""))
        outgoing.method = .init(rawValue: request.method)
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) where !Self.connectionHeaders.contains(name) {
            outgoing.headers.add(name: name, value: name == "authorization" ? "Bearer \(token)" : value)
        }
        if !request.body.isEmpty {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout.milliseconds)))
        _ = try await response.body.collect(upTo: 64 << 20)
        return Int(response.status.code)
    }

    /// Closes the connection.
    func shutdown() async {
        try? await client.shutdown()
    }
}
