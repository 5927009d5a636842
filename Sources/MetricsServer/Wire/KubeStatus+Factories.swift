/// The error statuses the Go API server libraries produce, with their exact wording
/// (docs/metrics-api.md, "Errors").
extension KubeStatus {
    /// 404 for a metric the provider does not know, as custom-metrics-apiserver words it; no `details`.
    ///
    /// - Parameters:
    ///   - metric: The metric name from the path.
    ///   - groupResource: `pods`, `deployments.apps`, ... (Go's `GroupResource.String()`).
    ///   - name: The object name (`*` for selector queries); nil for the resource-wide message.
    ///   - selector: The label selector of a `*` query; only used when `name` is given.
    public static func notFoundMetric(
        metric: String, groupResource: String, name: String? = nil, selector: String? = nil
    ) -> KubeStatus {
        var message = "the server could not find the metric \(metric) for \(groupResource)"
        if let name {
            message += " \(name)"
            if let selector { message += " with selector \(selector)" }
        }
        return KubeStatus(code: 404, reason: "NotFound", message: message)
    }

    /// Generic 404 with `"details":{}`, as the Go server answers an unknown path.
    public static func notFound(
        message: String = "the server could not find the requested resource"
    ) -> KubeStatus {
        KubeStatus(code: 404, reason: "NotFound", message: message, details: Details())
    }

    /// 400 BadRequest with the given message (e.g. an unparsable `labelSelector`).
    public static func badRequest(_ message: String) -> KubeStatus {
        KubeStatus(code: 400, reason: "BadRequest", message: message)
    }

    /// 401 Unauthorized, as the authentication filter writes it.
    public static func unauthorized() -> KubeStatus {
        KubeStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    /// 403 Forbidden; the message is built by the authorizer
    /// (docs/aggregation-layer.md, "Authorization: SubjectAccessReview").
    public static func forbidden(message: String, details: Details? = nil) -> KubeStatus {
        KubeStatus(code: 403, reason: "Forbidden", message: message, details: details)
    }

    /// 500 InternalError: `Internal error occurred: <err>` with the error as the single cause.
    public static func internalError(_ error: String) -> KubeStatus {
        KubeStatus(
            code: 500, reason: "InternalError", message: "Internal error occurred: \(error)",
            details: Details(causes: [Cause(message: error)])
        )
    }

    /// 503 ServiceUnavailable; `retryAfterSeconds` goes into the details only, never into a `Retry-After`
    /// header (client-go would sleep and retry: docs/hpa-semantics.md).
    public static func serviceUnavailable(_ message: String, retryAfterSeconds: Int? = nil) -> KubeStatus {
        let details = retryAfterSeconds.map { Details(retryAfterSeconds: $0) }
        return KubeStatus(code: 503, reason: "ServiceUnavailable", message: message, details: details)
    }

    /// 406 NotAcceptable, worded like apiserver's content negotiation.
    public static func notAcceptable(acceptedMediaTypes: [String] = ["application/json"]) -> KubeStatus {
        KubeStatus(
            code: 406, reason: "NotAcceptable",
            message: "only the following media types are accepted: \(acceptedMediaTypes.joined(separator: ", "))"
        )
    }

    /// 405 MethodNotAllowed (the metrics API is read-only: only `GET` is served).
    public static func methodNotAllowed() -> KubeStatus {
        KubeStatus(
            code: 405, reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource", details: Details()
        )
    }
}
