import Hummingbird
import Logging

/// Authenticates and authorizes every request before any route runs (docs/aggregation-layer.md,
/// "Authentication", "TokenReview" and "Authorization: SubjectAccessReview").
///
/// - Authentication: ``RequestAuthenticator``; credentials that all fail give 401, none at
///   all make the caller `system:anonymous`. Without an authenticator (`--authentication-mode none`)
///   every caller is anonymous.
/// - Authorization: the exact paths `/healthz`, `/readyz`, `/livez` and members of
///   `system:masters` pass; everything else (unknown paths included) needs a SubjectAccessReview.
///   Without a reviewer (`--authorization-mode always-allow`) everything passes.
/// - Overload: a TokenReview or SubjectAccessReview the client-side rate limit refused to
///   queue (its wait would pass the limiter's bound) answers 429 TooManyRequests, without
///   `Retry-After` (see ``KubeStatusError``), instead of 401 or 500: the caller's
///   credentials may be fine, the adapter is busy.
public struct DelegatedAuthMiddleware: RouterMiddleware {
    public typealias Context = AdapterRequestContext

    /// Paths allowed without a review (k8s.io/apiserver's delegating authorizer defaults).
    public static let alwaysAllowedPaths: Set<String> = ["/healthz", "/readyz", "/livez"]

    private let authenticator: RequestAuthenticator?
    private let authorizer: SubjectAccessReviewer?
    private let logger: Logger

    /// - Parameters:
    ///   - authenticator: nil treats every caller as anonymous.
    ///   - authorizer: nil allows everything.
    public init(authenticator: RequestAuthenticator?, authorizer: SubjectAccessReviewer?, logger: Logger) {
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.logger = logger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let user = try await authenticate(request, context: context)
        context.user = user
        try await authorize(request, user: user)
        return try await next(request, context)
    }

    private func authenticate(_ request: Request, context: Context) async throws -> UserInfo {
        guard let authenticator else { return .anonymous }
        let chain = await context.peerCertificateChain()
        let (result, throttled) = await ReviewThrottling.observing {
            await authenticator.authenticate(headers: request.headers, peerChain: chain)
        }
        switch result {
        case .authenticated(let user):
            return user
        case .anonymous:
            return .anonymous
        case .failed(let reasons):
            // The reasons name authenticators and CAs, never credentials. Throttled ones come
            // in floods: debug only (the 429s are counted in the request metrics).
            logger.log(level: throttled ? .debug : .info, "Unable to authenticate the request", metadata: [
                "http.path": "\(request.uri.path)", "auth.errors": "\(reasons.joined(separator: "; "))",
            ])
            if throttled { throw KubeStatusError(.tooManyRequests(overloadedBy: "TokenReview")) }
            throw KubeStatusError(.unauthorized())
        }
    }

    private func authorize(_ request: Request, user: UserInfo) async throws {
        guard let authorizer else { return }
        if Self.alwaysAllowedPaths.contains(request.uri.path) { return }
        if user.groups.contains(UserInfo.mastersGroup) { return }
        let attributes = RequestAttributes(
            method: request.method.rawValue, path: request.uri.path, query: APIPath.queryParameters(request.uri.query))
        let decision: SubjectAccessReviewer.Decision
        do {
            decision = try await authorizer.authorize(user: user, attributes: attributes)
        } catch {
            let throttled = ReviewThrottling.isThrottle(error)
            logger.log(level: throttled ? .debug : .warning, "Authorization check failed", metadata: [
                "http.path": "\(request.uri.path)", "auth.user": "\(user.username)", "error": "\(error)",
            ])
            if throttled { throw KubeStatusError(.tooManyRequests(overloadedBy: "SubjectAccessReview")) }
            throw KubeStatusError(.internalError("authorization check failed"))
        }
        guard decision.allowed else {
            logger.debug("Request forbidden", metadata: [
                "http.path": "\(request.uri.path)", "auth.user": "\(user.username)",
            ])
            throw KubeStatusError(attributes.forbidden(username: user.username, reason: decision.reason))
        }
    }
}
