import AsyncHTTPClient
import Foundation
import NIOSSL
import Shared
import Synchronization
import Testing
import SysdigSimulator
import TestSupport

/// SIGTERM while a slow Sysdig request is in flight: the listener closes at once, so
/// new connections are refused, the request still gets its answer, then `serve`
/// exits 0 within its shutdown grace.
@Suite struct GracefulShutdownTests {
    /// Runs `serve` in files mode (crds/examples) against a fresh simulator for `body`,
    /// with an HTTPS client that trusts any certificate.
    static func withServe(
        _ extraArguments: [String] = [],
        _ body: (ChildProcess, Int, SysdigSimulator, HTTPClient, TLSConfiguration) async throws -> Void
    ) async throws {
        let binary = try AdapterBinary.require()
        let token = "grace-token-" + UUID().uuidString.lowercased()
        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo(clusterName: "demo"))
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            try await simulator.withRunning { sysdigPort in
                let adapter = try ChildProcess(binary, [
                    "serve", "--config-source", "files", "--mappings", "crds/examples",
                    "--sysdig-url", "http://127.0.0.1:\(sysdigPort)", "--cluster-name", "demo",
                    "--bind-address", "127.0.0.1", "--secure-port", "0",
                ] + extraArguments, environment: ["SDC_TOKEN": token])
                defer { adapter.kill() }
                let port = try #require(await adapter.servingPort(), "serve did not start: \(adapter.stderr)")
                try await body(adapter, port, simulator, http, tls)
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    @Test func inFlightRequestCompletesAfterSIGTERM() async throws {
        try await Self.withServe(["--shutdown-grace", "20"]) { adapter, port, simulator, http, tls in
            // The start-up self-check asks for descriptors first; then the data query is slowed
            // down, long enough that the refusal below is seen while it is still in flight.
            _ = await simulator.waitForRequests(count: 1)
            simulator.inject(.delay(.seconds(6)), persistent: true)
            let path = "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/kuard_rps"
            let answered = Flag()
            let answer = Task {
                defer { answered.set() }
                let response = try await http.execute(
                    HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)"), timeout: .seconds(30))
                return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
            }
            // Wait until the adapter's query has reached Sysdig, so the request is truly in flight.
            _ = await simulator.waitForRequests(count: 2)
            #expect(TCPProbe.connect(port: port) == .accepted, "listening before SIGTERM")
            let status = Task { await adapter.terminate() }
            // New connections are refused while the old request is still being answered.
            let refused = await TCPProbe.waitUntilRefused(port: port, limit: .seconds(5))
            let answeredBeforeRefusal = answered.isSet
            #expect(refused, "the listener stayed open after SIGTERM")
            #expect(!answeredBeforeRefusal, "the in-flight request finished before new connections were refused")
            // A fresh client (no pooled connection) gets no HTTP answer at all.
            let fresh = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            await #expect(throws: (any Error).self) {
                _ = try await fresh.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/readyz"), timeout: .seconds(5))
            }
            try await fresh.shutdown()
            let (code, body) = try await answer.value
            #expect(code == 200)
            #expect(body.contains(#""metricName":"kuard_rps""#))
            #expect(await status.value == 0, "\(adapter.stderr)")
            simulator.clearFaults()
        }
    }
}

extension GracefulShutdownTests {
    /// The aggregator keeps its connections to the adapter open between requests. On
    /// SIGTERM such an idle TLS connection is closed at once: the server does not wait
    /// for the peer's close_notify (NIOSSL's default would hold the exit up for 5 s).
    @Test func anIdleKeepAliveConnectionDoesNotDelayTheExit() async throws {
        try await Self.withServe { adapter, port, _, http, _ in
            let response = try await http.execute(
                HTTPClientRequest(url: "https://127.0.0.1:\(port)/readyz"), timeout: .seconds(30))
            #expect(response.status.code == 200)
            _ = try await response.body.collect(upTo: 1 << 16)
            // The client keeps the connection in its pool, idle.
            let start = ContinuousClock.now
            let status = await adapter.terminate()
            let elapsed = ContinuousClock.now - start
            #expect(status == 0, "\(adapter.stderr)")
            print("exit after SIGTERM with an idle keep-alive connection: \(elapsed)")
            #expect(elapsed < .seconds(3), "exit took \(elapsed)")
        }
    }
}

/// A one-way flag shared with a task.
private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
