import Foundation
import Shared
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(2))) struct KubeRateLimiterTests {
    @Test func bucketAllowsBurstThenSpacesAtQPS() {
        let start = ContinuousClock.now
        let limiter = KubeRateLimiter(qps: 5, burst: 10, now: { start })
        let immediate = (0..<10).map { _ in limiter.reserve(at: start) }
        #expect(immediate.allSatisfy { $0 == .zero })
        #expect(limiter.reserve(at: start) == .milliseconds(200))
        #expect(limiter.reserve(at: start) == .milliseconds(400))
        // One second later five tokens have accrued, two of which repay the debt.
        let later = start.advanced(by: .seconds(1))
        let next = (0..<3).map { _ in limiter.reserve(at: later) }
        #expect(next == [.zero, .zero, .zero])
        #expect(limiter.reserve(at: later) == .milliseconds(200))
    }

    @Test func bucketRefillsOnlyUpToBurst() {
        let start = ContinuousClock.now
        let limiter = KubeRateLimiter(qps: 100, burst: 2, now: { start })
        let later = start.advanced(by: .seconds(60))
        #expect(limiter.reserve(at: later) == .zero)
        #expect(limiter.reserve(at: later) == .zero)
        #expect(limiter.reserve(at: later) > .zero)
    }

    @Test func zeroQPSIsUnlimited() {
        let limiter = KubeRateLimiter(qps: 0, burst: 1)
        #expect((0..<100).allSatisfy { _ in limiter.reserve(at: .now) == .zero })
    }

    @Test func clientStopsAtTheBurstUntilTokensAccrue() async throws {
        // 0.001 QPS: after the burst of 3 the next token is ~17 minutes away.
        try await withKubeServer(qps: 0.001, burst: 3) { client, server in
            for _ in 0..<3 { _ = try await client.list(.leases, namespace: "x", options: ListOptions()) }
            #expect(server.requests.count == 3)
            let blocked = Task { try await client.list(.leases, namespace: "x", options: ListOptions()) }
            await client.rateLimiter.waitUntilWaiting(atLeast: 1)
            #expect(server.requests.count == 3)
            blocked.cancel()
            let error = await kubeError { _ = try await blocked.value }
            #expect(error?.code == .timeout)
            #expect(server.requests.count == 3)
        }
    }
}
