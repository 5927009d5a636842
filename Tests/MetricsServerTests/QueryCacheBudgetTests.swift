import Foundation
import Shared
import Synchronization
import Testing

@testable import MetricsServer

/// Issue 13 §1e: the answer cache is bounded by bytes, evicts the least recently used
/// first, and drops expired entries instead of keeping them until displaced. Time is the
/// injected clock: nothing sleeps.
@Suite struct QueryCacheBudgetTests {
    static func request(_ name: String) -> SysdigBackendRequest {
        .promql(PromQLRequest(query: "sum(rate(\(name)_requests_total{kube_namespace_name=\"shop\"}[1m]))"))
    }

    /// An answer of `series` samples, each with a few labels.
    static func answer(series: Int) -> SysdigBackendResponse {
        .promql(PromQLResponse(resultType: "vector", samples: (0..<series).map { index in
            .init(labels: ["kube_pod_name": "web-\(index)-7d9f8c6b5-x2x4z", "kube_namespace_name": "shop"], value: 1, timestamp: 0)
        }))
    }

    /// Stores `answer` for `request` (a miss, so `fetch` runs).
    static func put(
        _ cache: QueryCache, _ request: SysdigBackendRequest, _ answer: SysdigBackendResponse, ttl: Duration = .seconds(60)
    ) async throws {
        _ = try await cache.response(for: request, ttl: ttl) { answer }
    }

    /// Whether `request` is answered from the cache (checked without disturbing the LRU order: a miss fetches nothing).
    static func isCached(_ cache: QueryCache, _ request: SysdigBackendRequest) async throws -> Bool {
        let hits = cache.statistics.hits
        _ = try await cache.response(for: request, ttl: .zero) { answer(series: 0) }
        return cache.statistics.hits == hits + 1
    }

    @Test func costGrowsWithSamplesAndLabels() {
        let small = QueryCache.cost(of: Self.request("a"), Self.answer(series: 1))
        let large = QueryCache.cost(of: Self.request("a"), Self.answer(series: 100))
        #expect(small >= QueryCache.entryOverhead)
        #expect(large - small >= 99 * 112)  // at least each sample's fixed share
        let data = SysdigBackendResponse.data(SysdigDataResponse(data: (0..<10).map { index in
            .init(t: 1, d: [.string("web-\(index)-7d9f8c6b5-x2x4z"), .number(1)])
        }))
        #expect(QueryCache.cost(of: .data(SysdigDataRequest(last: 60, metrics: [.init(id: "cpu")])), data)
            > QueryCache.entryOverhead + 10 * 56)
        #expect(QueryCache.defaultMaxBytes == 64 << 20)
    }

    @Test func staysWithinItsByteBudgetDroppingTheLeastRecentlyUsed() async throws {
        let clock = ManualClock()
        let one = QueryCache.cost(of: Self.request("m00"), Self.answer(series: 20))
        let cache = QueryCache(maxBytes: one * 10 + one / 2, now: { clock.now })  // room for ten
        let names = (0...10).map { "m" + ($0 < 10 ? "0\($0)" : "\($0)") }  // all of one length, so one cost
        for name in names.prefix(10) { try await Self.put(cache, Self.request(name), Self.answer(series: 20)) }
        #expect(cache.count == 10)
        #expect(try await Self.isCached(cache, Self.request("m00")))  // m00 becomes the most recently used
        try await Self.put(cache, Self.request("m10"), Self.answer(series: 20))
        #expect(cache.statistics.evictions == 1)
        #expect(!(try await Self.isCached(cache, Self.request("m01"))))  // the least recently used went
        for name in names where name != "m01" { #expect(try await Self.isCached(cache, Self.request(name)), "\(name)") }
        #expect(cache.bytes == 10 * one)

        // A larger answer displaces as many of the least recently used as its size needs.
        let big = QueryCache.cost(of: Self.request("big"), Self.answer(series: 45))
        #expect(big > 2 * one && big < cache.maxBytes / 4)
        try await Self.put(cache, Self.request("big"), Self.answer(series: 45))
        #expect(cache.statistics.evictions == 3)
        #expect(cache.bytes == 8 * one + big)
        #expect(cache.bytes <= cache.maxBytes)
        #expect(!(try await Self.isCached(cache, Self.request("m00"))))
        #expect(!(try await Self.isCached(cache, Self.request("m02"))))
        #expect(try await Self.isCached(cache, Self.request("m03")))
        #expect(try await Self.isCached(cache, Self.request("big")))
    }

    @Test func manySmallAnswersNeverExceedTheBudget() async throws {
        let clock = ManualClock()
        let cache = QueryCache(maxBytes: 256 << 10, now: { clock.now })
        for index in 0..<2_000 {
            try await Self.put(cache, Self.request("series\(index)"), Self.answer(series: index % 7))
            #expect(cache.bytes <= cache.maxBytes)
        }
        #expect(cache.statistics.evictions > 0)
        #expect(cache.count + cache.statistics.evictions == 2_000)
        #expect(cache.bytes > cache.maxBytes / 2)  // the budget is used, not just the entry count
    }

    @Test func anAnswerLargerThanAQuarterOfTheBudgetIsNotCached() async throws {
        let cache = QueryCache(maxBytes: 64 << 10)
        try await Self.put(cache, Self.request("small"), Self.answer(series: 2))
        try await Self.put(cache, Self.request("huge"), Self.answer(series: 500))
        #expect(cache.statistics.oversized == 1)
        #expect(cache.count == 1)
        #expect(try await Self.isCached(cache, Self.request("small")))
    }

    @Test func expiredEntriesAreDroppedWhenLookedUp() async throws {
        let clock = ManualClock()
        let cache = QueryCache(now: { clock.now })
        try await Self.put(cache, Self.request("a"), Self.answer(series: 3), ttl: .seconds(10))
        let before = cache.bytes
        #expect(before > 0)
        clock.advance(by: .seconds(10))
        let fetched = FetchCount()
        _ = try await cache.response(for: Self.request("a"), ttl: .zero) { fetched.increment(); return Self.answer(series: 0) }
        #expect(fetched.value == 1)
        #expect(cache.statistics.expirations == 1)
        #expect(cache.bytes == 0)
    }

    @Test func expiredEntriesAreSweptOnInsertWithoutBeingDisplaced() async throws {
        let clock = ManualClock()
        let cache = QueryCache(now: { clock.now })  // a budget far from full: nothing is displaced
        for index in 0..<50 { try await Self.put(cache, Self.request("short\(index)"), Self.answer(series: 2), ttl: .seconds(5)) }
        try await Self.put(cache, Self.request("long"), Self.answer(series: 2), ttl: .seconds(600))
        // Recently used short-lived entries sit at the hot end of the LRU order: only the full sweep finds them.
        for index in 0..<50 { #expect(try await Self.isCached(cache, Self.request("short\(index)"))) }
        clock.advance(by: QueryCache.sweepInterval + .seconds(1))
        try await Self.put(cache, Self.request("next"), Self.answer(series: 2))
        #expect(cache.statistics.expirations == 50)
        #expect(cache.statistics.evictions == 0)
        let remaining = QueryCache.cost(of: Self.request("long"), Self.answer(series: 2))
            + QueryCache.cost(of: Self.request("next"), Self.answer(series: 2))
        #expect(cache.bytes == remaining)
        #expect(cache.count == 2)
    }

    @Test func expiredEntriesAtTheColdEndGoOnEveryInsert() async throws {
        let clock = ManualClock()
        let cache = QueryCache(now: { clock.now })
        let cost = { (name: String) in QueryCache.cost(of: Self.request(name), Self.answer(series: 1)) }
        // Cold to hot: old1, old2 (expiring), fresh, hot (expiring). The first insert ran the full sweep.
        try await Self.put(cache, Self.request("old1"), Self.answer(series: 1), ttl: .seconds(1))
        try await Self.put(cache, Self.request("old2"), Self.answer(series: 1), ttl: .seconds(1))
        try await Self.put(cache, Self.request("fresh"), Self.answer(series: 1))
        try await Self.put(cache, Self.request("hot"), Self.answer(series: 1), ttl: .seconds(1))
        clock.advance(by: .seconds(2))  // less than sweepInterval: only the cold end is checked
        try await Self.put(cache, Self.request("new"), Self.answer(series: 1))
        #expect(cache.statistics.expirations == 2)
        #expect(cache.bytes == cost("fresh") + cost("hot") + cost("new"))
        #expect(cache.count == 2)  // `count` sweeps fully: "hot" goes too
        #expect(cache.bytes == cost("fresh") + cost("new"))
    }

    @Test func countDropsExpiredEntries() async throws {
        let clock = ManualClock()
        let cache = QueryCache(now: { clock.now })
        for index in 0..<3 { try await Self.put(cache, Self.request("a\(index)"), Self.answer(series: 1), ttl: .seconds(1)) }
        #expect(cache.count == 3)
        clock.advance(by: .seconds(1))
        #expect(cache.count == 0)
        #expect(cache.bytes == 0)
        #expect(cache.statistics.expirations == 3)
    }

    @Test func replacingAnEntryDoesNotCountItTwice() async throws {
        let clock = ManualClock()
        let cache = QueryCache(now: { clock.now })
        try await Self.put(cache, Self.request("a"), Self.answer(series: 4), ttl: .seconds(1))
        clock.advance(by: .seconds(1))
        try await Self.put(cache, Self.request("a"), Self.answer(series: 1), ttl: .seconds(1))
        #expect(cache.count == 1)
        #expect(cache.bytes == QueryCache.cost(of: Self.request("a"), Self.answer(series: 1)))
    }
}

/// Counts `fetch` calls.
private final class FetchCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
