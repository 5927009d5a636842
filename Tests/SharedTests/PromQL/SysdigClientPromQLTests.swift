import AsyncHTTPClient
import Foundation
import Logging
import Testing

@testable import Shared
@testable import SysdigSimulator

/// The real `SysdigClient`'s PromQL path against `SysdigSimulator` over 127.0.0.1.
@Suite("SysdigClient PromQL against the simulator")
struct SysdigClientPromQLTests {
    static let token = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    static let now = Date(timeIntervalSince1970: 1_700_000_000.25)

    func withSimulator(_ body: (SysdigSimulator, SysdigClient) async throws -> Void) async throws {
        let simulator = SysdigSimulator(token: Self.token, world: SysdigSimulator.demo(clusterName: "prod"), clock: { Self.now })
        try await simulator.withRunning { port in
            let client = SysdigClient(
                baseURL: "http://127.0.0.1:\(port)", token: StaticSysdigToken(Self.token), httpClient: .shared,
                logger: Logger(label: "test"), now: { Self.now })
            try await body(simulator, client)
        }
    }

    @Test func sendsTheQueryWithTimeAndToken() async throws {
        try await withSimulator { simulator, client in
            let query = #"sum by (kube_pod_name) (avg_over_time(sysdig_container_cpu_used_percent{kube_cluster_name="prod",kube_namespace_name="shop",kube_workload_name="web",kube_workload_type="deployment"}[1m]))"#
            let response = try await client.queryPromQL(PromQLRequest(query: query), timeout: .seconds(10))
            #expect(response.resultType == "vector")
            #expect(response.samples.count == 4)
            #expect(response.samples.allSatisfy { $0.value > 0 && $0.timestamp == 1_700_000_000.25 })
            let recorded = try #require(simulator.requests.last)
            #expect(recorded.method == "GET")
            #expect(recorded.path == "/prometheus/api/v1/query")
            #expect(recorded.authorized)
            #expect(recorded.query == "query=" + PromQLRequest.percentEncode(query) + "&time=1700000000.25")
        }
    }

    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(PromQLRequest.percentEncode(#"a{b="c d",e=~"f+|g&h"}[1m] é"#)
            == "a%7Bb%3D%22c%20d%22%2Ce%3D~%22f%2B%7Cg%26h%22%7D%5B1m%5D%20%C3%A9")
        #expect(PromQLRequest(query: "up", time: Date(timeIntervalSince1970: 5)).pathAndQuery() == "/prometheus/api/v1/query?query=up&time=5")
    }

    @Test func scalarResults() async throws {
        try await withSimulator { _, client in
            let response = try await client.queryPromQL(PromQLRequest(query: "42"), timeout: .seconds(10))
            #expect(response.resultType == "scalar")
            #expect(response.samples == [.init(labels: [:], value: 42, timestamp: 1_700_000_000.25)])
        }
    }

    @Test func badQueryCarriesPrometheusErrorText() async throws {
        try await withSimulator { _, client in
            do {
                _ = try await client.queryPromQL(PromQLRequest(query: "sum(x"), timeout: .seconds(10))
                Issue.record("expected an error")
            } catch let error as SysdigError {
                #expect(error.code == .badRequest)
                #expect(error.httpStatus == 400)
                #expect(error.message.hasPrefix("Sysdig at 127.0.0.1 answered /prometheus/api/v1/query with HTTP 400: bad_data: invalid parameter \"query\""))
                #expect(!error.message.contains(Self.token))
            }
        }
    }

    @Test func errorBodiesWithEchoedTokensAreScrubbed() async throws {
        try await withSimulator { simulator, client in
            simulator.inject(.status(422, body: #"{"status":"error","errorType":"execution","error":"token \#(Self.token) expired"}"#))
            do {
                _ = try await client.queryPromQL(PromQLRequest(query: "up{a=\"b\"}"), timeout: .seconds(10))
                Issue.record("expected an error")
            } catch let error as SysdigError {
                #expect(error.code == .badRequest)
                #expect(error.message.hasSuffix("HTTP 422: execution: token <redacted> expired"))
                #expect(!String(reflecting: error).contains(Self.token))
            }
        }
    }

    @Test func statusErrorOn200IsBadRequest() async throws {
        try await withSimulator { simulator, client in
            simulator.inject(.status(200, body: #"{"status":"error","errorType":"timeout","error":"query timed out"}"#))
            do {
                _ = try await client.queryPromQL(PromQLRequest(query: "up"), timeout: .seconds(10))
                Issue.record("expected an error")
            } catch let error as SysdigError {
                #expect(error.code == .badRequest)
                #expect(error.message == "Sysdig at 127.0.0.1 refused the PromQL query: timeout: query timed out")
            }
        }
    }

    @Test func nonFiniteValuesAndWarningsAreParsed() async throws {
        try await withSimulator { simulator, client in
            simulator.inject(.status(200, body: #"{"status":"success","warnings":["partial data"],"data":{"resultType":"vector","result":[{"metric":{"kube_pod_name":"a"},"value":[1700000000,"NaN"]},{"metric":{"kube_pod_name":"b"},"value":[1700000000,"+Inf"]},{"metric":{"kube_pod_name":"c"},"value":[1700000000.5,"-1.5e3"]}]}}"#))
            let response = try await client.queryPromQL(PromQLRequest(query: "up"), timeout: .seconds(10))
            #expect(response.warnings == ["partial data"])
            #expect(response.samples.count == 3)
            #expect(response.samples[0].value.isNaN)
            #expect(response.samples[1].value == .infinity)
            #expect(response.samples[2].value == -1500)
            #expect(response.samples[2].timestamp == 1_700_000_000.5)
        }
    }

    @Test(arguments: [
        #"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#,
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"twelve"]}]}}"#,
        #"{"data":{}}"#,
    ])
    func malformedAnswersAreBadResponse(body: String) async throws {
        try await withSimulator { simulator, client in
            simulator.inject(.status(200, body: body))
            do {
                _ = try await client.queryPromQL(PromQLRequest(query: "up"), timeout: .seconds(10))
                Issue.record("expected an error")
            } catch let error as SysdigError {
                #expect(error.code == .badResponse)
            }
        }
    }
}
