/// The Status answers of the overload protections, worded like k8s.io/apiserver's filters.
///
/// None carries `Retry-After` or `retryAfterSeconds`: client-go sleeps and retries such an
/// answer up to 10 times, and the HPA controller's metrics clients have no deadline, so a
/// hint would turn one overloaded moment into a stalled HPA loop (see ``KubeStatusError``).
extension KubeStatus {
    /// The start of apiserver's max-in-flight answer (`filters/maxinflight.go`).
    static let tooManyRequestsMessage = "Too many requests, please try again later."

    /// 429 TooManyRequests for a request refused because `--max-requests-inflight` are already being served.
    static func tooManyRequests(inFlightLimit: Int) -> KubeStatus {
        KubeStatus(
            code: 429, reason: "TooManyRequests",
            message: "\(tooManyRequestsMessage) The adapter is overloaded: \(inFlightLimit) requests are already "
                + "in flight (--max-requests-inflight).",
            details: Details())
    }

    /// 429 TooManyRequests for a request whose `review` (TokenReview, SubjectAccessReview) the
    /// client-side rate limit refused to queue.
    static func tooManyRequests(overloadedBy review: String) -> KubeStatus {
        KubeStatus(
            code: 429, reason: "TooManyRequests",
            message: "\(tooManyRequestsMessage) The adapter is overloaded: too many \(review)s are waiting for "
                + "its Kubernetes API rate limit.",
            details: Details())
    }

    /// 414 for a path longer than any the adapter serves, refused before authentication.
    static func pathTooLong(limit: Int) -> KubeStatus {
        KubeStatus(
            code: 414, reason: "RequestURITooLong",
            message: "the request path is longer than \(limit) bytes; no metrics path is that long",
            details: Details())
    }

    /// 504 Timeout, exactly as apiserver's timeout filter answers a request that outlived
    /// `--request-timeout` (`apierrors.NewTimeoutError("request did not complete within the allotted timeout", 0)`).
    static func requestTimeout() -> KubeStatus {
        KubeStatus(
            code: 504, reason: "Timeout", message: "Timeout: request did not complete within the allotted timeout",
            details: Details())
    }
}
