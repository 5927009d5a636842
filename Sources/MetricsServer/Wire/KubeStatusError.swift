import Hummingbird

/// An error that answers with a `metav1.Status` body and the matching HTTP code.
///
/// Throw it from any route; Hummingbird renders it through ``response(from:context:)``.
public struct KubeStatusError: Error, HTTPResponseError, CustomStringConvertible {
    /// The Status written as the body.
    public var kubeStatus: KubeStatus

    /// Wraps a Status.
    public init(_ status: KubeStatus) {
        self.kubeStatus = status
    }

    /// The HTTP status, taken from the Status `code`.
    public var status: HTTPResponse.Status {
        HTTPResponse.Status(code: kubeStatus.code)
    }

    /// For logs: code, reason and message.
    public var description: String {
        "KubeStatusError(\(kubeStatus.code) \(kubeStatus.reason): \(kubeStatus.message))"
    }

    /// Renders the Status as JSON (honouring `?pretty`). Never with a `Retry-After` header,
    /// even when the details carry `retryAfterSeconds`: client-go retries a 429 or 5xx that
    /// has one up to 10 times, sleeping each time, and the HPA controller's metrics
    /// clients set no deadline, so one throttled Sysdig would stall every HPA behind it
    /// (docs/hpa-semantics.md). The hint stays in the body for people.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        KubeJSONResponse.render(kubeStatus, status: status, pretty: KubeJSONResponse.wantsPretty(request), headers: HTTPFields())
    }
}

extension KubeStatusError {
    /// Shorthand for `KubeStatusError(.notFound())` and friends: `throw KubeStatusError.status(.badRequest("x"))`.
    public static func status(_ status: KubeStatus) -> KubeStatusError {
        KubeStatusError(status)
    }
}
