import Foundation
import Shared
import Synchronization
import Testing

@testable import MetricsServer

/// A fetch that does not finish until the test opens it.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Issue 7: a caller that joins a coalesced request waits no longer than its own deadline.
@Suite(.timeLimit(.minutes(1))) struct QueryCacheJoinTests {
    static let request = SysdigBackendRequest.data(SysdigDataRequest(last: 60, metrics: [.init(id: "cpu.used.percent")]))
    static let answer = SysdigBackendResponse.data(SysdigDataResponse(data: []))

    /// Starts the request every later caller joins; its fetch holds until `gate` opens.
    /// Returns once the fetch is in flight (it is registered before it starts).
    private static func startOwner(_ cache: QueryCache, _ gate: Gate) async -> Task<SysdigBackendResponse, any Error> {
        let owner = Task {
            try await cache.response(for: Self.request, ttl: .seconds(10), deadline: .now + .seconds(60)) {
                await gate.wait()
                return Self.answer
            }
        }
        while cache.statistics.misses == 0 { await Task.yield() }
        return owner
    }

    @Test func joinerGivesUpAtItsDeadlineWhileTheRequestGoesOn() async throws {
        let cache = QueryCache()
        let gate = Gate()
        let owner = await Self.startOwner(cache, gate)
        let start = ContinuousClock.now
        let error = await #expect(throws: SysdigError.self) {
            _ = try await cache.response(for: Self.request, ttl: .seconds(10), deadline: .now + .milliseconds(200)) {
                Issue.record("a joiner must not fetch")
                return Self.answer
            }
        }
        let waited = ContinuousClock.now - start
        #expect(error?.code == .timeout)
        #expect(waited >= .milliseconds(200))
        #expect(waited < .seconds(5), "\(waited)")
        #expect(cache.statistics.coalesced == 1)
        // The shared request was not cancelled: the owner still gets the answer, and it is cached.
        gate.open()
        #expect(try await owner.value == Self.answer)
        #expect(cache.statistics.misses == 1)
        #expect(try await cache.response(for: Self.request, ttl: .seconds(10)) { Self.answer } == Self.answer)
        #expect(cache.statistics.hits == 1)
    }

    @Test func joinerWithinItsDeadlineGetsTheSharedAnswer() async throws {
        let cache = QueryCache()
        let gate = Gate()
        let owner = await Self.startOwner(cache, gate)
        let joiner = Task {
            try await cache.response(for: Self.request, ttl: .seconds(10), deadline: .now + .seconds(60)) { Self.answer }
        }
        while cache.statistics.coalesced == 0 { await Task.yield() }
        gate.open()
        #expect(try await joiner.value == Self.answer)
        #expect(try await owner.value == Self.answer)
    }
}
