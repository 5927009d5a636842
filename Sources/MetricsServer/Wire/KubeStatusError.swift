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

    /// Renders the Status as JSON (honouring `?pretty`), with `Retry-After` when the details carry one.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        if let seconds = kubeStatus.details?.retryAfterSeconds, seconds > 0 {
            headers[.retryAfter] = String(seconds)
        }
        return KubeJSONResponse.render(
            kubeStatus, status: status, pretty: KubeJSONResponse.wantsPretty(request), headers: headers
        )
    }
}

extension KubeStatusError {
    /// Shorthand for `KubeStatusError(.notFound())` and friends: `throw KubeStatusError.status(.badRequest("x"))`.
    public static func status(_ status: KubeStatus) -> KubeStatusError {
        KubeStatusError(status)
    }
}
