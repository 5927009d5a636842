import Foundation

extension KubeAPIError {
    /// The typed error for an HTTP answer: the `Status` body's `reason` and `message` when
    /// there is one (docs/metrics-api.md, "Errors"), else a generic text naming `operation`.
    ///
    /// - Parameters:
    ///   - retryAfter: the `Retry-After` header; kept for 429 and 5xx only.
    ///   - operation: e.g. `GET /apis/.../foo`, used when the body has no message.
    public static func fromResponse(
        httpStatus: Int, body: Data, retryAfter: String?, operation: String
    ) -> KubeAPIError {
        let status = try? JSONValue.parse(json: body)
        let reason = status?["reason"]?.stringValue
        var message = status?["message"]?.stringValue ?? ""
        if message.isEmpty {
            message = "the server answered \(operation) with HTTP \(httpStatus)"
        }
        let delay = (httpStatus == 429 || httpStatus >= 500) ? retryAfter.flatMap(parseRetryAfter) : nil
        return KubeAPIError(
            code: code(httpStatus: httpStatus, reason: reason), message: truncate(message),
            httpStatus: httpStatus, retryAfter: delay)
    }

    /// The error an `ERROR` watch event carries (a `Status` object).
    public init(status: JSONValue) {
        let httpStatus = status["code"].flatMap { value -> Int? in
            if case .number(let number) = value { return Int(exactly: number) }
            return nil
        }
        let reason = status["reason"]?.stringValue
        let expired = reason == "Expired" || reason == "Gone"
        self.init(
            code: httpStatus.map { Self.code(httpStatus: $0, reason: reason) } ?? (expired ? .gone : .badResponse),
            message: Self.truncate(status["message"]?.stringValue ?? "the watch ended with an error event"),
            httpStatus: httpStatus)
    }

    /// Maps an HTTP status (and Status reason) to a code.
    public static func code(httpStatus: Int, reason: String?) -> Code {
        switch httpStatus {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 409: return reason == "AlreadyExists" ? .alreadyExists : .conflict
        case 410: return .gone
        case 422: return .invalid
        case 429: return .tooManyRequests
        case 503: return .serviceUnavailable
        case 504: return .timeout
        case 500...599: return reason == "Timeout" ? .timeout : .serverError
        default: return .badResponse
        }
    }

    /// `Retry-After` as delta-seconds (what the API server sends).
    static func parseRetryAfter(_ value: String) -> Duration? {
        guard let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }

    static func truncate(_ text: String, limit: Int = 1000) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    /// This error with every occurrence of `secret` replaced, so a token echoed by a
    /// server or proxy never reaches a log.
    public func scrubbed(of secret: String?) -> KubeAPIError {
        guard let secret, !secret.isEmpty, message.contains(secret) else { return self }
        var copy = self
        copy.message = message.replacingOccurrences(of: secret, with: "<redacted>")
        return copy
    }
}
