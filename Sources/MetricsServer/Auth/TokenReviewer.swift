import Crypto
import Foundation
import Logging
import Shared

/// Authenticates bearer tokens with TokenReview (`authentication.k8s.io/v1`;
/// docs/aggregation-layer.md, "TokenReview"),
/// caching answers by the token's SHA-256 (never the token itself): authenticated users for
/// `successTTL`, rejections for `failureTTL`. Errors talking to Kubernetes are not cached.
///
/// Like k8s.io/apiserver's cached token authenticator (`pkg/authentication/token/cache`):
/// - the cache is an LRU of 4,096 entries (kube: 32 stripes × 128 entries) with both TTLs
///   10 s (`--authentication-token-webhook-cache-ttl`, `DelegatingAuthenticationOptions`);
/// - concurrent reviews of one token share a single request (kube's `getOrWait`);
/// - reviews pass `limiter` (kube's delegated auth client: 200 QPS, burst 400) whose waits
///   are bounded: past the bound the review fails at once with `KubeRateLimiter.WaitExceeded`
///   and the request is answered 429 instead of queueing behind a flood of bogus tokens.
public struct TokenReviewer: Sendable {
    /// The outcome of one review.
    public enum Outcome: Sendable, Hashable {
        case authenticated(UserInfo)
        /// The token was refused; `reason` is the review's `status.error` (may be empty).
        case rejected(reason: String)
    }

    /// kube-apiserver's token cache size (32 stripes × 128 entries).
    public static let defaultCacheSize = 4096

    private let api: any KubernetesAPI
    private let audiences: [String]
    private let successTTL: Duration
    private let failureTTL: Duration
    private let cache: ExpiringCache<SHA256Digest, Outcome>
    private let limiter: KubeRateLimiter?
    private let logger: Logger
    /// Reviews in flight, shared by every caller presenting the same token.
    public let flights = ReviewCoalescer<SHA256Digest, Outcome>()

    /// - Parameters:
    ///   - audiences: `spec.audiences` to send (empty: the API server's defaults).
    ///   - successTTL: How long an authenticated answer is reused (10 s, as Kubernetes does).
    ///   - failureTTL: How long a rejection is reused.
    ///   - cacheSize: Answers kept at most, least recently used evicted first.
    ///   - limiter: Client-side limit every review passes (give it a `maxWait`); nil: none.
    ///   - now: Time source for the cache.
    public init(
        api: any KubernetesAPI, audiences: [String] = [], successTTL: Duration = .seconds(10),
        failureTTL: Duration = .seconds(10), cacheSize: Int = TokenReviewer.defaultCacheSize,
        limiter: KubeRateLimiter? = nil, now: @escaping MonotonicNow = continuousNow(), logger: Logger
    ) {
        self.api = api
        self.audiences = audiences
        self.successTTL = successTTL
        self.failureTTL = failureTTL
        self.cache = ExpiringCache(capacity: cacheSize, now: now)
        self.limiter = limiter
        self.logger = logger
    }

    /// Reviews `token`, from the cache when a live answer exists, joining an identical
    /// review already in flight otherwise.
    /// - Throws: `KubeAPIError` when Kubernetes cannot be asked (the request then gets 401);
    ///   `KubeRateLimiter.WaitExceeded` when the rate limit refuses to wait (429).
    public func review(_ token: String) async throws -> Outcome {
        let key = SHA256.hash(data: Data(token.utf8))
        if let cached = cache.value(for: key) { return cached }
        do {
            return try await flights.value(for: key) { [self] in try await ask(token, key: key) }
        } catch {
            if ReviewThrottling.isThrottle(error) {
                ReviewThrottling.record()
                logger.debug("TokenReview refused by the client-side rate limit", metadata: ["error": "\(error)"])
            }
            throw error
        }
    }

    /// Sends one TokenReview and caches its answer.
    private func ask(_ token: String, key: SHA256Digest) async throws -> Outcome {
        try await limiter?.acquire()
        var spec: [String: JSONValue] = ["token": .string(token)]
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map { .string($0) }) }
        let review = JSONValue.object([
            "apiVersion": .string("authentication.k8s.io/v1"), "kind": .string("TokenReview"), "spec": .object(spec),
        ])
        let answer = try await api.create(.tokenReviews, namespace: nil, object: review)
        let status = answer["status"]
        let outcome: Outcome
        if status?["authenticated"] == .bool(true), let user = UserInfo(tokenReviewUser: status?["user"]) {
            outcome = .authenticated(user)
            cache.insert(outcome, for: key, ttl: successTTL)
        } else {
            outcome = .rejected(reason: status?["error"]?.stringValue ?? "")
            cache.insert(outcome, for: key, ttl: failureTTL)
        }
        return outcome
    }

    /// Cached answers now (for tests and metrics).
    public var cachedCount: Int { cache.count }
}
