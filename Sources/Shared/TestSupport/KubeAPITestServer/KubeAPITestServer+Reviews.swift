import Foundation
import Shared

extension KubeAPITestServer {
    /// Answers a TokenReview: the `status` object for a token (e.g. `{"authenticated":true,"user":{...}}`).
    public typealias TokenReviewHandler = @Sendable (_ token: String) -> JSONValue
    /// Answers a SubjectAccessReview: the `status` object for a `spec` (e.g. `{"allowed":true}`).
    public typealias SubjectAccessReviewHandler = @Sendable (_ spec: JSONValue) -> JSONValue

    /// Scripted review answers and what was asked.
    struct ReviewState {
        var tokenHandler: TokenReviewHandler?
        var accessHandler: SubjectAccessReviewHandler?
        var tokenReviews: [JSONValue] = []
        var accessReviews: [JSONValue] = []
    }

    /// Serves `POST /apis/authentication.k8s.io/v1/tokenreviews` with `handler` (unset: not authenticated).
    public func setTokenReviewHandler(_ handler: TokenReviewHandler?) {
        state.withLock { $0.reviews.tokenHandler = handler }
    }

    /// Serves `POST /apis/authorization.k8s.io/v1/subjectaccessreviews` with `handler` (unset: not allowed).
    public func setSubjectAccessReviewHandler(_ handler: SubjectAccessReviewHandler?) {
        state.withLock { $0.reviews.accessHandler = handler }
    }

    /// The `spec` of every TokenReview received (tokens included: test-only data).
    public var tokenReviews: [JSONValue] { state.withLock { $0.reviews.tokenReviews } }

    /// The `spec` of every SubjectAccessReview received.
    public var subjectAccessReviews: [JSONValue] { state.withLock { $0.reviews.accessReviews } }

    /// A TokenReview status for an authenticated user.
    public static func authenticatedStatus(
        username: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]
    ) -> JSONValue {
        var user: [String: JSONValue] = [
            "username": .string(username), "groups": .array(groups.map { .string($0) }),
        ]
        if !uid.isEmpty { user["uid"] = .string(uid) }
        if !extra.isEmpty { user["extra"] = .object(extra.mapValues { .array($0.map { .string($0) }) }) }
        return .object(["authenticated": .bool(true), "user": .object(user)])
    }

    /// Answers the two review endpoints; nil for any other path.
    func answerReview(path: String, body: Data) -> (status: Int, body: JSONValue)? {
        let kinds = [
            "/apis/authentication.k8s.io/v1/tokenreviews": ("authentication.k8s.io/v1", "TokenReview"),
            "/apis/authorization.k8s.io/v1/subjectaccessreviews": ("authorization.k8s.io/v1", "SubjectAccessReview"),
        ]
        guard let (apiVersion, kind) = kinds[path] else { return nil }
        guard let review = try? JSONValue.parse(json: body), let spec = review["spec"] else {
            return (400, KubeTestStatus.badRequest("the request body is not a \(kind)").json)
        }
        let status: JSONValue
        if kind == "TokenReview" {
            let handler = state.withLock { state in
                state.reviews.tokenReviews.append(spec)
                return state.reviews.tokenHandler
            }
            status = handler?(spec["token"]?.stringValue ?? "") ?? .object([:])
        } else {
            let handler = state.withLock { state in
                state.reviews.accessReviews.append(spec)
                return state.reviews.accessHandler
            }
            status = handler?(spec) ?? .object(["allowed": .bool(false)])
        }
        notifyWaiters()
        return (201, .object([
            "apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": .object([:]),
            "spec": spec, "status": status,
        ]))
    }
}
