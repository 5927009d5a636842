import AsyncHTTPClient
import Foundation
import NIOCore

extension SysdigClient {
    /// Longest piece of Sysdig's own error text kept in a message.
    static let maxDetailLength = 300

    /// Maps a non-2xx answer to a `SysdigError`, keeping Sysdig's explanation.
    func statusError(_ outcome: Outcome, path: String, token: String) -> SysdigError {
        let status = outcome.status
        let code: SysdigError.Code
        switch status {
        case 401: code = .unauthorized
        case 403: code = .forbidden
        case 404: code = .notFound
        case 429: code = .rateLimited
        case 400..<500: code = .badRequest
        default: code = .unavailable
        }
        var message = "Sysdig at \(host) answered \(path) with HTTP \(status)"
        if let detail = Self.errorDetail(in: outcome.body, token: token) {
            message += ": " + detail
        }
        let retryAfter = (status == 429 || status >= 500) ? outcome.retryAfter.flatMap { Self.parseRetryAfter($0) } : nil
        return SysdigError(
            code: code, message: Self.scrub(message, token: token), httpStatus: status, retryAfter: retryAfter)
    }

    /// Maps a failure below HTTP (connect, reset, deadline, oversized body).
    func transportError(_ error: any Error, token: String) -> SysdigError {
        if let error = error as? SysdigError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout, .cancelled:
                return SysdigError(code: .timeout, message: "Sysdig at \(host) did not answer in time")
            case .remoteConnectionClosed:
                return SysdigError(
                    code: .unavailable, message: "Sysdig at \(host) closed the connection without answering")
            default:
                break
            }
        }
        if error is CancellationError {
            return SysdigError(code: .timeout, message: "the request to Sysdig at \(host) was cancelled")
        }
        if error is NIOTooManyBytesError {
            return SysdigError(
                code: .badResponse,
                message: "Sysdig at \(host) answered with more than \(Self.maxResponseBytes) bytes")
        }
        let reason = Self.truncate(Self.scrub(String(describing: error), token: token))
        return SysdigError(
            code: .unavailable, message: Self.scrub("Sysdig at \(host) is not reachable: \(reason)", token: token))
    }

    /// Sysdig's own text from `{"errors":[{reason,message}]}`, Prometheus' `{"errorType","error"}`,
    /// `{"message"}` or `{"error"}`,
    /// else a printable body; scrubbed of `token`, then truncated (so no token prefix survives).
    static func errorDetail(in body: ByteBuffer, token: String) -> String? {
        let data = Data(body.readableBytesView)
        guard !data.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let errors = object["errors"] as? [[String: Any]] {
                let parts = errors.compactMap { entry -> String? in
                    let fields = [entry["reason"], entry["message"]].compactMap { $0 as? String }
                    return fields.isEmpty ? nil : fields.joined(separator: ": ")
                }
                if !parts.isEmpty { return truncate(scrub(parts.joined(separator: "; "), token: token)) }
            }
            if let type = object["errorType"] as? String, let text = object["error"] as? String, !text.isEmpty {
                return truncate(scrub("\(type): \(text)", token: token))
            }
            for key in ["message", "error"] {
                if let text = object[key] as? String, !text.isEmpty { return truncate(scrub(text, token: token)) }
            }
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : truncate(scrub(trimmed, token: token))
    }

    /// `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
    static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 {
            return .seconds(seconds)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        let delta = max(0, date.timeIntervalSince(now))
        return .milliseconds(Int64((delta * 1000).rounded()))
    }

    /// Replaces every occurrence of the token in `text`.
    static func scrub(_ text: String, token: String) -> String {
        guard !token.isEmpty else { return text }
        return text.replacingOccurrences(of: token, with: "<redacted>")
    }

    /// Sysdig's text as it may be logged or kept in an error: scrubbed of `token`, then
    /// truncated (so no token prefix survives), on one line.
    static func detail(_ text: String, token: String) -> String {
        truncate(scrub(text, token: token))
    }

    static func truncate(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        guard flat.count > maxDetailLength else { return flat }
        return String(flat.prefix(maxDetailLength)) + "…"
    }
}
