import Logging
import Shared

/// Authorizes requests with SubjectAccessReview (`authorization.k8s.io/v1`;
/// docs/aggregation-layer.md, "Authorization: SubjectAccessReview"),
/// caching decisions by the review's spec: allowed for `allowedTTL`, refused for `deniedTTL`.
/// Failures to ask are not cached.
///
/// Like k8s.io/apiserver's webhook authorizer (`plugin/pkg/authorizer/webhook`):
/// - the cache is an LRU of 8,192 entries (`cache.NewLRUExpireCache(8192)`); the TTLs are the
///   delegating authorizer's 10 s / 10 s (`DelegatingAuthorizationOptions`; the 5 min / 30 s
///   defaults belong to kube-apiserver's own `--authorization-mode=Webhook`);
/// - requests whose caller-controlled attributes total 10,000 bytes or more are not cached
///   (kube's `maxControlledAttrCacheSize`), so long random paths cannot fill the cache;
/// - concurrent identical reviews share one request, and reviews pass `limiter` with a
///   bounded wait (past it: `KubeRateLimiter.WaitExceeded`, answered 429).
public struct SubjectAccessReviewer: Sendable {
    /// A decision and the reviewer's reason.
    public struct Decision: Sendable, Hashable {
        public var allowed: Bool
        public var reason: String

        /// Creates a decision.
        public init(allowed: Bool, reason: String = "") {
            self.allowed = allowed
            self.reason = reason
        }
    }

    /// The review answered `allowed` and `denied` at once (Kubernetes treats that as an error).
    public struct ContradictoryReview: Error, Sendable, CustomStringConvertible {
        public var description: String { "webhook subject access review returned both allow and deny response" }
    }

    /// kube-apiserver's webhook authorizer cache size.
    public static let defaultCacheSize = 8192
    /// Caller-controlled attribute bytes from which a decision is not cached (kube's limit).
    public static let maxCachedAttributeBytes = 10_000

    private let api: any KubernetesAPI
    private let allowedTTL: Duration
    private let deniedTTL: Duration
    private let cache: ExpiringCache<JSONValue, Decision>
    private let limiter: KubeRateLimiter?
    /// Reviews in flight, shared by every caller asking the same question.
    public let flights = ReviewCoalescer<JSONValue, Decision>()

    /// - Parameters:
    ///   - allowedTTL: How long an allowed decision is reused (10 s, as Kubernetes does).
    ///   - deniedTTL: How long a refusal is reused.
    ///   - cacheSize: Decisions kept at most, least recently used evicted first.
    ///   - limiter: Client-side limit every review passes (give it a `maxWait`); nil: none.
    ///   - now: Time source for the cache.
    public init(
        api: any KubernetesAPI, allowedTTL: Duration = .seconds(10), deniedTTL: Duration = .seconds(10),
        cacheSize: Int = SubjectAccessReviewer.defaultCacheSize, limiter: KubeRateLimiter? = nil,
        now: @escaping MonotonicNow = continuousNow()
    ) {
        self.api = api
        self.allowedTTL = allowedTTL
        self.deniedTTL = deniedTTL
        self.cache = ExpiringCache(capacity: cacheSize, now: now)
        self.limiter = limiter
    }

    /// The review spec for `user` doing `attributes`.
    public static func spec(user: UserInfo, attributes: RequestAttributes) -> JSONValue {
        var spec = user.reviewFields(usernameKey: "user")
        let (key, fields) = attributes.reviewAttributes
        spec[key] = .object(fields.mapValues { .string($0) })
        return .object(spec)
    }

    /// Asks (or recalls) whether `user` may do `attributes`; joins an identical review in flight.
    /// - Throws: `KubeAPIError` when Kubernetes cannot be asked; ``ContradictoryReview``;
    ///   `KubeRateLimiter.WaitExceeded` when the rate limit refuses to wait.
    public func authorize(user: UserInfo, attributes: RequestAttributes) async throws -> Decision {
        let spec = Self.spec(user: user, attributes: attributes)
        if let cached = cache.value(for: spec) { return cached }
        let cacheable = attributes.reviewAttributes.1.values.reduce(0) { $0 + $1.utf8.count } < Self.maxCachedAttributeBytes
        return try await flights.value(for: spec) { [self] in try await ask(spec, cacheable: cacheable) }
    }

    /// Sends one SubjectAccessReview and caches its decision.
    private func ask(_ spec: JSONValue, cacheable: Bool) async throws -> Decision {
        try await limiter?.acquire()
        let review = JSONValue.object([
            "apiVersion": .string("authorization.k8s.io/v1"), "kind": .string("SubjectAccessReview"), "spec": spec,
        ])
        let status = try await api.create(.subjectAccessReviews, namespace: nil, object: review)["status"]
        let allowed = status?["allowed"] == .bool(true)
        let denied = status?["denied"] == .bool(true)
        if allowed && denied { throw ContradictoryReview() }
        let decision = Decision(allowed: allowed, reason: status?["reason"]?.stringValue ?? "")
        if cacheable { cache.insert(decision, for: spec, ttl: allowed ? allowedTTL : deniedTTL) }
        return decision
    }

    /// Cached decisions now (for tests and metrics).
    public var cachedCount: Int { cache.count }
}
