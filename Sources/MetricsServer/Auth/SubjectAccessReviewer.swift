import Logging
import Shared

/// Authorizes requests with SubjectAccessReview (`authorization.k8s.io/v1`, PROTOCOL.md B5),
/// caching decisions by the review's spec: allowed for `allowedTTL`, refused for `deniedTTL`.
/// Failures to ask are not cached.
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

    private let api: any KubernetesAPI
    private let allowedTTL: Duration
    private let deniedTTL: Duration
    private let cache: ExpiringCache<JSONValue, Decision>

    /// - Parameters:
    ///   - allowedTTL: How long an allowed decision is reused (10 s, as Kubernetes does).
    ///   - deniedTTL: How long a refusal is reused.
    ///   - now: Time source for the cache.
    public init(
        api: any KubernetesAPI, allowedTTL: Duration = .seconds(10), deniedTTL: Duration = .seconds(10),
        now: @escaping MonotonicNow = continuousNow()
    ) {
        self.api = api
        self.allowedTTL = allowedTTL
        self.deniedTTL = deniedTTL
        self.cache = ExpiringCache(now: now)
    }

    /// The review spec for `user` doing `attributes`.
    public static func spec(user: UserInfo, attributes: RequestAttributes) -> JSONValue {
        var spec = user.reviewFields(usernameKey: "user")
        let (key, fields) = attributes.reviewAttributes
        spec[key] = .object(fields.mapValues { .string($0) })
        return .object(spec)
    }

    /// Asks (or recalls) whether `user` may do `attributes`.
    /// - Throws: `KubeAPIError` when Kubernetes cannot be asked; ``ContradictoryReview``.
    public func authorize(user: UserInfo, attributes: RequestAttributes) async throws -> Decision {
        let spec = Self.spec(user: user, attributes: attributes)
        if let cached = cache.value(for: spec) { return cached }
        let review = JSONValue.object([
            "apiVersion": .string("authorization.k8s.io/v1"), "kind": .string("SubjectAccessReview"), "spec": spec,
        ])
        let status = try await api.create(.subjectAccessReviews, namespace: nil, object: review)["status"]
        let allowed = status?["allowed"] == .bool(true)
        let denied = status?["denied"] == .bool(true)
        if allowed && denied { throw ContradictoryReview() }
        let decision = Decision(allowed: allowed, reason: status?["reason"]?.stringValue ?? "")
        cache.insert(decision, for: spec, ttl: allowed ? allowedTTL : deniedTTL)
        return decision
    }
}
