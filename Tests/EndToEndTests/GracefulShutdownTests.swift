import AsyncHTTPClient
import Foundation
import NIOSSL
import Shared
import Testing

/// SIGTERM while a slow Sysdig request is in flight: the request still gets its
/// answer, then `serve` exits 0 within its shutdown grace.
@Suite struct GracefulShutdownTests {
    @Test func inFlightRequestCompletesAfterSIGTERM() async throws {
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
                    "--bind-address", "127.0.0.1", "--secure-port", "0", "--shutdown-grace", "20",
                ], environment: ["SDC_TOKEN": token])
                let port = try #require(await adapter.servingPort(), "serve did not start: \(adapter.stderr)")
                // The start-up self-check asks for descriptors first; then the data query is slowed down.
                _ = await simulator.waitForRequests(count: 1)
                simulator.inject(.delay(.seconds(2)), persistent: true)
                let path = "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/kuard_rps"
                async let answer = http.execute(
                    HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)"), timeout: .seconds(30))
                // Wait until the adapter's query has reached Sysdig, so the request is truly in flight.
                _ = await simulator.waitForRequests(count: 2)
                let status = Task { await adapter.terminate() }
                let response = try await answer
                #expect(response.status.code == 200)
                let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                #expect(body.contains(#""metricName":"kuard_rps""#))
                #expect(await status.value == 0, "\(adapter.stderr)")
                simulator.clearFaults()
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
