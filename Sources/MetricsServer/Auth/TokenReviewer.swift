import Crypto
import Foundation
import Logging
import Shared

/// Authenticates bearer tokens with TokenReview (`authentication.k8s.io/v1`, PROTOCOL.md B4),
/// caching answers by the token's SHA-256 (never the token itself): authenticated users for
/// `successTTL`, rejections for `failureTTL`. Errors talking to Kubernetes are not cached.
public struct TokenReviewer: Sendable {
    /// The outcome of one review.
    public enum Outcome: Sendable, Hashable {
        case authenticated(UserInfo)
        /// The token was refused; `reason` is the review's `status.error` (may be empty).
        case rejected(reason: String)
    }

    private let api: any KubernetesAPI
    private let audiences: [String]
    private let successTTL: Duration
    private let failureTTL: Duration
    private let cache: ExpiringCache<SHA256Digest, Outcome>
    private let logger: Logger

    /// - Parameters:
    ///   - audiences: `spec.audiences` to send (empty: the API server's defaults).
    ///   - successTTL: How long an authenticated answer is reused (10 s, as Kubernetes does).
    ///   - failureTTL: How long a rejection is reused.
    ///   - now: Time source for the cache.
    public init(
        api: any KubernetesAPI, audiences: [String] = [], successTTL: Duration = .seconds(10),
        failureTTL: Duration = .seconds(10), now: @escaping MonotonicNow = continuousNow(),
        logger: Logger
    ) {
        self.api = api
        self.audiences = audiences
        self.successTTL = successTTL
        self.failureTTL = failureTTL
        self.cache = ExpiringCache(now: now)
        self.logger = logger
    }

    /// Reviews `token`, from the cache when a live answer exists.
    /// - Throws: `KubeAPIError` when Kubernetes cannot be asked (the request then gets 401).
    public func review(_ token: String) async throws -> Outcome {
        let key = SHA256.hash(data: Data(token.utf8))
        if let cached = cache.value(for: key) { return cached }
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
}
