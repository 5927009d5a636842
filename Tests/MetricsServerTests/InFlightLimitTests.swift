import Shared
import Testing

@testable import MetricsServer

/// `--max-requests-inflight` and `--request-timeout` over real HTTPS: past the cap a request
/// gets a 429 Status at once (without `Retry-After`) while the probes still answer, and a
/// request that outlives the timeout gets apiserver's 504 Timeout Status.
@Suite("Requests in flight and request timeout", .timeLimit(.minutes(2)))
struct InFlightLimitTests {
    @Test func pastTheCapRequestsGet429WhileProbesAnswer() async throws {
        var limits = ServerLimits()
        limits.maxRequestsInFlight = 2
        try await OverloadServer.with(.init(limits: limits)) { server in
            async let first = server.get("/apis/test/hold")
            async let second = server.get("/apis/test/hold")
            await server.hold.waitUntilArrived(2)

            let refused = try await server.get("/apis/test/ok")
            #expect(refused.status == 429)
            #expect(refused.headers["retry-after"] == nil, "client-go would sleep and retry")
            #expect(refused.json?["kind"] == .string("Status"))
            #expect(refused.json?["reason"] == .string("TooManyRequests"))
            #expect(refused.json?["code"] == .number(429))
            let message = refused.json?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix("Too many requests, please try again later."))
            #expect(message.contains("overloaded") && message.contains("--max-requests-inflight"), "\(message)")

            for probe in ["/readyz", "/livez", "/healthz"] {
                let reply = try await server.get(probe)
                #expect(reply.status == 200, "\(probe) must stay exempt")
            }
            #expect(server.load.snapshot.rejectedRequests == 1)
            #expect(server.load.snapshot.requestsInFlight == 2)

            server.hold.open()
            #expect(try await first.status == 200)
            #expect(try await second.status == 200)
            await server.load.waitUntil { $0.requestsInFlight == 0 }
            #expect(try await server.get("/apis/test/ok").status == 200)
        }
    }

    @Test func requestOutlivingTheTimeoutGets504AndKeepsItsSlotUntilItEnds() async throws {
        var limits = ServerLimits()
        limits.requestTimeout = .milliseconds(200)
        limits.maxRequestsInFlight = 1
        try await OverloadServer.with(.init(limits: limits)) { server in
            let reply = try await server.get("/apis/test/hold")
            #expect(reply.status == 504)
            #expect(reply.headers["retry-after"] == nil)
            #expect(reply.json?["reason"] == .string("Timeout"))
            #expect(reply.json?["message"] == .string("Timeout: request did not complete within the allotted timeout"))
            #expect(server.load.snapshot.timedOutRequests == 1)
            // The handler has not returned yet: its slot is still taken, so timed-out work
            // cannot pile up past the cap.
            #expect(server.load.snapshot.requestsInFlight == 1)
            #expect(try await server.get("/apis/test/ok").status == 429)
            server.hold.open()
            await server.load.waitUntil { $0.requestsInFlight == 0 }
            #expect(try await server.get("/apis/test/ok").status == 200)
        }
    }
}

/// Issue 13: a path longer than any served one is refused before authentication, so a
/// flood of long random paths costs no SubjectAccessReview and keeps no bytes.
@Suite("Path length limit") struct PathLengthLimitTests {
    @Test func aPathLongerThanAnyServedOneIs414BeforeAuthentication() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let long = "/apis/custom.metrics.k8s.io/v1beta2/" + String(repeating: "x", count: 4_000)
            let reply = try await api.get(long)
            #expect(reply.status == 414)
            #expect(reply.json?["reason"] as? String == "RequestURITooLong")
            #expect(reply.body.count < 1_000, "the path is not echoed")
            let normal = try await api.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1/http_requests")
            #expect(normal.status == 200)
        }
    }
}
