import Foundation
@_spi(Testing) import Shared
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

/// The bounded wait: refusals take no token, so a flood cannot push later callers' slots
/// into the future; a cancelled waiter gives its token back.
@Suite(.timeLimit(.minutes(2))) struct KubeRateLimiterBoundTests {
    final class Frozen: Sendable {
        let instant = ContinuousClock.now
        var now: @Sendable () -> ContinuousClock.Instant { { [instant] in instant } }
    }

    @Test func reservationsPastMaxWaitAreRefusedWithoutDebt() {
        let clock = Frozen()
        let limiter = KubeRateLimiter(qps: 10, burst: 1, maxWait: .seconds(1), now: clock.now)
        let waits = (0..<100).map { _ in limiter.reserve(at: clock.instant, maxWait: limiter.maxWait) }
        // One from the bucket, then one every 100 ms up to the 1 s bound; the other 89 are refused.
        #expect(waits.compactMap { $0 }.count == 11)
        #expect(waits.compactMap { $0 }.last == .seconds(1))
        #expect(limiter.rejectedCount == 89)
        #expect(limiter.availableTokens == -10, "the debt stops at qps × maxWait")
    }

    @Test func acquireFailsAtOnceWithAMessageSayingWhy() async throws {
        let clock = Frozen()
        let limiter = KubeRateLimiter(qps: 200, burst: 1, maxWait: .zero, now: clock.now)
        try await limiter.acquire()
        let error = await #expect(throws: KubeRateLimiter.WaitExceeded.self) { try await limiter.acquire() }
        #expect(error?.wait == .milliseconds(5))
        let message = error?.description ?? ""
        #expect(message.contains("0.005s") && message.contains("200.0 requests/s"), "\(message)")
        #expect(limiter.waitingCount == 0)
    }

    @Test func cancelledWaiterGivesItsTokenBack() async throws {
        let clock = Frozen()
        let limiter = KubeRateLimiter(qps: 0.001, burst: 1, now: clock.now)
        try await limiter.acquire()
        #expect(limiter.availableTokens == 0)
        let waiter = Task { try await limiter.acquire() }
        await limiter.waitUntilWaiting(atLeast: 1)
        #expect(limiter.availableTokens == -1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(limiter.availableTokens == 0, "the reservation was returned")
    }
}
