import Foundation
import Shared
import Testing

@testable import MetricsServer
import SysdigSimulator

/// Sysdig failing in every way the simulator can: each maps to the right Status,
/// and no response carries the token or Sysdig's own body on a 500.
@Suite("Metrics API Sysdig failures")
struct MetricsAPISysdigFailureTests {
    static let path = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1/http_requests"

    /// The adapter's own backoff stays internal: an answer with Retry-After would make
    /// client-go sleep and retry up to 10 times, stalling the HPA controller's worker.
    @Test(arguments: [503, 429])
    func throttlingAndOutagesAreServiceUnavailableWithoutRetryAfter(status: Int) async throws {
        try await MetricsAPIHarness.run { api async throws in
            api.simulator.inject(.status(status, body: #"{"message":"simulated outage"}"#, retryAfter: "7"))
            let reply = try await api.get(Self.path)
            #expect(reply.status == 503)
            #expect(reply.headers["retry-after"] == nil)
            #expect(!reply.clientGoRetries)
            let json = try #require(reply.json)
            #expect(json["reason"] as? String == "ServiceUnavailable")
            #expect(json["code"] as? Int == 503)
            #expect((json["details"] as? [String: Any])?["retryAfterSeconds"] as? Int == 7)
            let expected = status == 429 ? "Sysdig is rate-limiting the adapter; try again later" : "Sysdig is unavailable; try again later"
            #expect(StableErrorMessage.matches(json["message"] as? String, expected), "\(json)")
            #expect(!reply.body.contains("simulated outage"))
        }
    }

    @Test func outageWithoutRetryAfterHasNoHeader() async throws {
        try await MetricsAPIHarness.run { api async throws in
            api.simulator.inject(.status(502))
            let reply = try await api.get(Self.path)
            #expect(reply.status == 503)
            #expect(reply.headers["retry-after"] == nil)
            #expect(reply.json?["details"] == nil)
        }
    }

    @Test func timeoutIsServiceUnavailable() async throws {
        try await MetricsAPIHarness.run(configure: { $0.provider.sysdigTimeout = .milliseconds(300) }) { api async throws in
            api.simulator.inject(.delay(.seconds(30)))
            let started = ContinuousClock.now
            let reply = try await api.get(Self.path)
            #expect(reply.status == 503)
            #expect(StableErrorMessage.matches(reply.json?["message"] as? String, "Sysdig did not answer in time; try again later"))
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test(arguments: [
        SysdigSimulator.Fault.garbageBody, .truncatedBody, .status(400, body: #"{"errors":[{"reason":"Bad request","message":"secret detail"}]}"#),
    ])
    func brokenAnswersAreInternalErrorsWithoutSysdigText(fault: SysdigSimulator.Fault) async throws {
        try await MetricsAPIHarness.run { api async throws in
            api.simulator.inject(fault)
            let reply = try await api.get(Self.path)
            #expect(reply.status == 500)
            let json = try #require(reply.json)
            #expect(json["reason"] as? String == "InternalError")
            let message = try #require(json["message"] as? String)
            #expect(message.hasPrefix("Internal error occurred: the Sysdig query failed"))
            for leak in ["html", "Service Temporarily", "secret detail", "127.0.0.1", "1700000040"] {
                #expect(!reply.body.contains(leak), "\(leak) leaked: \(reply.body)")
            }
        }
    }

    @Test func wrongTokenIsInternalErrorWithoutTheToken() async throws {
        let wrong = "wrong-token-" + UUID().uuidString
        try await MetricsAPIHarness.run(clientToken: wrong) { api async throws in
            let reply = try await api.get(Self.path)
            #expect(reply.status == 500)
            #expect(!reply.body.contains("Bad credentials"))
            #expect(!reply.body.contains(wrong))
            #expect(!reply.body.contains(MetricsAPIHarness.token))
            #expect(api.dataRequests.count == 1)
            #expect(api.dataRequests.first?.authorized == false)
        }
    }
}
