import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// An HTTPS client for the adapter's self-signed certificate, with keep-alive
/// connections (HTTP/1.1, like wrk) and a pool as large as the load needs.
final class BenchHTTP: Sendable {
    /// One answer: status code and body (empty when not kept).
    struct Answer: Sendable {
        var status: Int
        var body: String
    }

    let client: HTTPClient
    let base: String

    init(port: Int, connections: Int = 8) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        base = "https://127.0.0.1:\(port)"
    }

    /// GET `path`; transport errors throw.
    func get(_ path: String, keepBody: Bool = true, timeout: Duration = .seconds(30)) async throws -> Answer {
        let response = try await client.execute(
            HTTPClientRequest(url: base + path), timeout: .milliseconds(Int64(timeout.milliseconds)))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), body: keepBody ? String(buffer: body) : "")
    }

    /// Polls `/readyz` until 200 (10 ms apart, like hack/bench/run); nil when the
    /// adapter exits or `limit` passes.
    func waitReady(_ adapter: AdapterProcess, limit: Duration = .seconds(120)) async -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, adapter.exitStatus == nil {
            if let answer = try? await get("/readyz", keepBody: false, timeout: .seconds(2)), answer.status == 200 {
                return .now
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Closes every connection; safe to call twice.
    func shutdown() async {
        try? await client.shutdown()
    }

    /// Runs `body` with a client for `port`, shutting the client down afterwards.
    static func with<T>(port: Int, connections: Int = 8, _ body: (BenchHTTP) async throws -> T) async throws -> T {
        let http = BenchHTTP(port: port, connections: connections)
        do {
            let result = try await body(http)
            await http.shutdown()
            return result
        } catch {
            await http.shutdown()
            throw error
        }
    }
}

/// Percentiles and totals for JSON output.
struct LatencySummary: Codable, Sendable {
    var count: Int
    var min: Double
    var p50: Double
    var p99: Double
    var max: Double
    var mean: Double

    /// Summary of `values` (nearest-rank percentiles); zeros when empty.
    init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        func rank(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.min(sorted.count - 1, Swift.max(0, index))]
        }
        min = sorted.first ?? 0
        p50 = rank(0.5)
        p99 = rank(0.99)
        max = sorted.last ?? 0
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    }
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

/// Progress on standard error; results alone go to standard output.
func progress(_ message: String) {
    FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
}

/// Prints `value` as one JSON object on standard output.
func emit(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}
