import Foundation
import Shared
import Testing

@testable import MetricsServer

/// What reaches Sysdig: coalescing, paging, the cache TTL and the client-side rate limit,
/// all asserted from the simulator's request log.
@Suite("Metrics API Sysdig load")
struct MetricsAPISysdigLoadTests {
    static let base = "/apis/custom.metrics.k8s.io/v1beta1"
    static let webPath = base + "/namespaces/shop/pods/web-1/http_requests"

    @Test func concurrentIdenticalRequestsCostOneSysdigRequest() async throws {
        let clock = ManualClock()  // frozen: nothing expires during the test
        try await MetricsAPIHarness.run(configure: { $0.cache = QueryCache(now: { clock.now }) }) { api async throws in
            api.simulator.inject(.delay(.milliseconds(500)))
            let replies = try await withThrowingTaskGroup(of: MetricsAPIHarness.Reply.self) { group in
                for _ in 0..<20 { group.addTask { try await api.get(Self.webPath) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.count == 20)
            #expect(replies.allSatisfy { $0.status == 200 && $0.body == replies[0].body })
            #expect(api.dataRequests.count == 1)
            let statistics = api.server.provider.cache.statistics
            #expect(statistics.misses == 1)
            #expect(statistics.coalesced + statistics.hits == 19)
        }
    }

    @Test func selectorOverManyPodsPagesOnceEveryThousand() async throws {
        try await MetricsAPIHarness.run(world: MetricsAPIFixtures.bigWorld(pods: 1500)) { api async throws in
            let reply = try await api.get(Self.base + "/namespaces/big/pods/*/http_requests?labelSelector=app%3Dbig")
            #expect(reply.status == 200)
            let names = Set(reply.items.compactMap { ($0["describedObject"] as? [String: Any])?["name"] as? String })
            #expect(reply.items.count == 1500)
            #expect(names == Set((0..<1500).map { "big-\($0)" }))
            let pages = api.dataRequests.map { $0.jsonBody?["paging"] as? [String: Int] }
            #expect(pages == [["from": 0, "to": 999], ["from": 1000, "to": 1999]])
        }
    }

    @Test func cachedWithinTheTTLThenAskedAgain() async throws {
        let clock = ManualClock()
        try await MetricsAPIHarness.run(configure: { $0.cache = QueryCache(now: { clock.now }) }) { api async throws in
            #expect(try await api.get(Self.webPath).status == 200)
            clock.advance(by: .seconds(9))
            #expect(try await api.get(Self.webPath).status == 200)
            #expect(api.dataRequests.count == 1)
            clock.advance(by: .seconds(2))
            #expect(try await api.get(Self.webPath).status == 200)
            #expect(api.dataRequests.count == 2)
        }
    }

    @Test func zeroTTLDisablesCaching() async throws {
        try await MetricsAPIHarness.run(configure: { $0.provider.cacheTTL = .zero }) { api async throws in
            for _ in 0..<3 { #expect(try await api.get(Self.webPath).status == 200) }
            #expect(api.dataRequests.count == 3)
            #expect(api.server.provider.cache.count == 0)
        }
    }

    @Test func rateLimitRefusesAtOnceWhenNoSlotFitsTheDeadline() async throws {
        // One slot every 100 s, two at once: the third distinct query's slot lies far past
        // its 20 s deadline, so it is refused at once instead of waiting for nothing.
        try await MetricsAPIHarness.run(configure: { options in
            options.sysdigQPS = 0.01
            options.sysdigBurst = 2
            options.provider.sysdigTimeout = .seconds(20)
        }) { api async throws in
            for pod in ["web-1", "web-2"] {
                let reply = try await api.get(Self.base + "/namespaces/shop/pods/\(pod)/http_requests")
                #expect(reply.status == 200, "\(pod): \(reply.body)")
            }
            let started = ContinuousClock.now
            let refused = try await api.get(Self.base + "/namespaces/shop/pods/api-1/http_requests")
            #expect(ContinuousClock.now - started < .seconds(10))  // refused at once, not after the 20 s deadline
            #expect(refused.status == 503)
            #expect(refused.json?["reason"] as? String == "ServiceUnavailable")
            // The next slot is about 100 s away (two were taken from a 0.01 qps bucket).
            #expect((90...100).contains(Self.retryAfterSeconds(refused)))
            #expect(refused.headers["retry-after"] == nil)  // in the body only: client-go would sleep and retry
            #expect(api.dataRequests.count == 2)
            // Cached answers are still served while the limiter refuses.
            #expect(try await api.get(Self.base + "/namespaces/shop/pods/web-1/http_requests").status == 200)
        }
    }

    @Test func retryAfterFrom429PausesLaterRequests() async throws {
        try await MetricsAPIHarness.run(configure: { $0.provider.sysdigTimeout = .seconds(20) }) { api async throws in
            api.simulator.inject(.rateLimited(retryAfter: "30"))
            let throttled = try await api.get(Self.webPath)
            #expect(throttled.status == 503)
            #expect(Self.retryAfterSeconds(throttled) == 30)
            #expect(throttled.headers["retry-after"] == nil)
            // Paused for 30 s, past the 20 s deadline: refused without reaching Sysdig.
            let started = ContinuousClock.now
            let paused = try await api.get(Self.base + "/namespaces/shop/pods/web-2/http_requests")
            #expect(paused.status == 503)
            #expect(ContinuousClock.now - started < .seconds(10))  // refused at once, not after the 20 s deadline
            #expect(StableErrorMessage.matches(paused.json?["message"] as? String, "the adapter's Sysdig request budget is exhausted; try again later"))
            // The remaining pause, rounded up: never more than Sysdig asked for.
            #expect((1...30).contains(Self.retryAfterSeconds(paused)))
            #expect(api.dataRequests.count == 1)
        }
    }

    /// `details.retryAfterSeconds` of a Status answer (0 when absent).
    static func retryAfterSeconds(_ reply: MetricsAPIHarness.Reply) -> Int {
        (reply.json?["details"] as? [String: Any])?["retryAfterSeconds"] as? Int ?? 0
    }
}
