import Shared
import Synchronization
import Testing

@testable import MetricsServer
import TestSupport

/// Delegated authentication under load, over real HTTPS against `KubeAPITestServer`:
/// identical concurrent reviews are sent once, and a flood of distinct bogus tokens is
/// refused at the rate limit (429) instead of queueing the next caller behind it.
@Suite("Review coalescing and bounded review waits", .timeLimit(.minutes(2)))
struct ReviewCoalescingTests {
    static let path = "/apis/test/ok"

    @Test func identicalConcurrentReviewsAreSentOnce() async throws {
        let tokenGate = TestGate()
        let accessGate = TestGate()
        let options = OverloadServer.Options(
            authenticate: true, authorize: true, tokenReviewGate: tokenGate, accessReviewGate: accessGate)
        try await OverloadServer.with(options) { server in
            let tokens = try #require(server.tokens)
            let access = try #require(server.access)
            let callers = 6
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<callers {
                    group.addTask { try await server.get(Self.path, token: OverloadServer.goodToken).status }
                }
                // Every caller joined the one TokenReview held at the gate...
                await tokenGate.waitUntilArrived(1)
                await tokens.flights.waitUntilJoined(atLeast: callers - 1)
                tokenGate.open()
                // ...then the one SubjectAccessReview.
                await accessGate.waitUntilArrived(1)
                await access.flights.waitUntilJoined(atLeast: callers - 1)
                accessGate.open()
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.kube.tokenReviews.count == 1)
            #expect(server.kube.subjectAccessReviews.count == 1)
            #expect(tokens.flights.startedCount == 1 && access.flights.startedCount == 1)
        }
    }

    @Test func floodOfBogusTokensIsRefusedFastAndLeavesNoDebt() async throws {
        let clock = ManualInstant()
        // Burst 5, 1/s, and a wait bound of 0.5 s: with the clock frozen, the sixth review
        // would wait 1 s, so it and every later one is refused at once.
        let limiter = KubeRateLimiter(qps: 1, burst: 5, maxWait: .milliseconds(500), now: clock.now)
        try await OverloadServer.with(.init(authenticate: true, authorize: true, limiter: limiter)) { server in
            let flood = 20
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<flood {
                    group.addTask { try await server.get(Self.path, token: "bogus-token-\(index)").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == 5, "the burst is reviewed: \(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == flood - 5, "the rest is refused at once: \(statuses)")
            #expect(server.kube.tokenReviews.count == 5)
            #expect(limiter.rejectedCount == flood - 5)
            // Refusals take no token: the bucket is empty, not in debt.
            #expect(limiter.availableTokens == 0)
            #expect(limiter.waitingCount == 0)

            // Two seconds later two tokens have accrued: the legitimate caller's TokenReview
            // and SubjectAccessReview go out at once. (Before the bound, the flood's 15
            // reservations would have put its first review 15 s into the future.)
            clock.advance(.seconds(2))
            let reply = try await server.get(Self.path, token: OverloadServer.goodToken)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(server.kube.tokenReviews.count == 6)
            #expect(server.kube.subjectAccessReviews.count == 1)
            #expect(limiter.rejectedCount == flood - 5)
        }
    }

    @Test func refusedSubjectAccessReviewAnswers429() async throws {
        let clock = ManualInstant()
        // One token: the TokenReview takes it, the SubjectAccessReview is refused.
        let limiter = KubeRateLimiter(qps: 1, burst: 1, maxWait: .zero, now: clock.now)
        try await OverloadServer.with(.init(authenticate: true, authorize: true, limiter: limiter)) { server in
            let reply = try await server.get(Self.path, token: OverloadServer.goodToken)
            #expect(reply.status == 429)
            #expect(reply.headers["retry-after"] == nil)
            #expect(reply.json?["reason"] == .string("TooManyRequests"))
            #expect((reply.json?["message"]?.stringValue ?? "").contains("SubjectAccessReviews"))
            #expect(server.kube.subjectAccessReviews.isEmpty)
        }
    }

    @Test func lastWaiterLeavingCancelsTheSharedComputation() async throws {
        let coalescer = ReviewCoalescer<String, Int>()
        let started = TestGate()
        started.open()
        let cancelled = TestGate()
        let finished = TestGate()
        finished.open()
        let caller = Task {
            try await coalescer.value(for: "key") {
                await withTaskCancellationHandler {
                    await started.pass()
                    // Suspends until the computation is cancelled.
                    await cancelled.pass()
                    await finished.pass()
                    return 0
                } onCancel: {
                    cancelled.open()
                }
            }
        }
        await started.waitUntilArrived(1)
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        // Only reachable when the caller's cancellation reached the shared computation.
        await finished.waitUntilArrived(1)
        #expect(coalescer.inFlightCount == 0)
        // A later caller starts afresh.
        #expect(try await coalescer.value(for: "key") { 7 } == 7)
        #expect(coalescer.startedCount == 2)
    }
}

/// A `ContinuousClock` instant the test moves by hand (for `KubeRateLimiter`).
final class ManualInstant: Sendable {
    private let origin = ContinuousClock.now
    private let offset = Mutex<Duration>(.zero)

    var now: @Sendable () -> ContinuousClock.Instant { { [self] in origin.advanced(by: offset.withLock { $0 }) } }

    func advance(_ duration: Duration) {
        offset.withLock { $0 += duration }
    }
}
