import Shared
import Testing

@testable import MetricsServer

/// The review caches are LRUs with per-entry TTLs: one-off keys (bogus tokens, random
/// paths) evict each other, not the entries real callers keep using.
@Suite("Review caches")
struct ReviewCacheTests {
    @Test func fullCacheEvictsTheLeastRecentlyUsedEntry() {
        let time = ManualTime()
        let cache = ExpiringCache<String, Int>(capacity: 3, now: time.now)
        for (index, key) in ["hpa", "a", "b"].enumerated() { cache.insert(index, for: key, ttl: .seconds(10)) }
        // The HPA controller's entry is used again: it is now the most recent.
        #expect(cache.value(for: "hpa") == 0)
        for index in 0..<10 { cache.insert(index, for: "bogus-\(index)", ttl: .seconds(10)) }
        #expect(cache.value(for: "hpa") == nil, "ten one-off keys overflow a 3-entry cache")

        let warm = ExpiringCache<String, Int>(capacity: 3, now: time.now)
        warm.insert(0, for: "hpa", ttl: .seconds(10))
        for index in 0..<10 {
            warm.insert(index, for: "bogus-\(index)", ttl: .seconds(10))
            #expect(warm.value(for: "hpa") == 0, "a key in use between floods stays")
        }
        #expect(warm.count == 3)
        #expect(warm.evictions == 8)
    }

    @Test func entriesExpireAndReinsertingRefreshes() {
        let time = ManualTime()
        let cache = ExpiringCache<String, String>(capacity: 2, now: time.now)
        cache.insert("allowed", for: "spec", ttl: .seconds(10))
        cache.insert("denied", for: "other", ttl: .seconds(5))
        time.advance(.seconds(5))
        #expect(cache.value(for: "other") == nil)
        #expect(cache.value(for: "spec") == "allowed")
        cache.insert("allowed again", for: "spec", ttl: .seconds(10))
        time.advance(.seconds(9))
        #expect(cache.value(for: "spec") == "allowed again")
        #expect(cache.count == 1)
        cache.insert("never", for: "zero", ttl: .zero)
        #expect(cache.value(for: "zero") == nil)
    }

    @Test func reviewerCacheSizesAreKubeApiservers() {
        #expect(TokenReviewer.defaultCacheSize == 4096)
        #expect(SubjectAccessReviewer.defaultCacheSize == 8192)
        #expect(SubjectAccessReviewer.maxCachedAttributeBytes == 10_000)
    }

    /// kube-apiserver does not cache decisions for 10,000 bytes of caller-controlled
    /// attributes. Here a path that long never reaches authorization: paths over 2 KiB are a
    /// 414 before authentication, so no review is sent at all; paths within the limit are
    /// cached as usual.
    @Test func longPathsAreRefusedBeforeAnyReviewAndShortOnesAreCached() async throws {
        try await OverloadServer.with(.init(authenticate: true, authorize: true)) { server in
            let long = "/apis/test/" + String(repeating: "a", count: 10_000)
            for _ in 0..<2 {
                let reply = try await server.get(long, token: OverloadServer.goodToken)
                #expect(reply.status == 414)
            }
            #expect(server.kube.subjectAccessReviews.count == 0, "refused before authorization")
            let withinLimit = "/apis/test/" + String(repeating: "b", count: 1_900)
            for _ in 0..<2 { _ = try await server.get(withinLimit, token: OverloadServer.goodToken) }
            #expect(server.kube.subjectAccessReviews.count == 1, "reviewed once, then cached")
        }
    }
}
