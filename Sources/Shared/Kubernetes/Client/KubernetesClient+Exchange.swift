import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

extension KubernetesClient {
    /// Largest non-watch answer accepted.
    static let maxResponseBytes = 64 * 1024 * 1024
    /// Longest wait honoured from one `Retry-After`.
    static let maxRetryDelay: Duration = .seconds(60)

    /// One API call: rate limit, request, retries on `Retry-After`, JSON answer.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        contentType: String = "application/json"
    ) async throws(KubeAPIError) -> JSONValue {
        var attempt = 0
        while true {
            do {
                return try await sendOnce(method, path, query: query, body: body, contentType: contentType)
            } catch {
                guard let delay = error.retryAfter, attempt < configuration.maxRetries else { throw error }
                attempt += 1
                logger.debug(
                    "Kubernetes API asked to retry",
                    metadata: ["k8s.path": "\(path)", "k8s.status": "\(error.httpStatus ?? 0)", "k8s.attempt": "\(attempt)"])
                do {
                    try await Task.sleep(for: min(delay, Self.maxRetryDelay))
                } catch {
                    throw KubeAPIError(code: .timeout, message: "the request \(method) \(path) was cancelled")
                }
            }
        }
    }

    private func sendOnce(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body: JSONValue?, contentType: String
    ) async throws(KubeAPIError) -> JSONValue {
        let token = try configuration.token?.token()
        let operation = "\(method) \(path)"
        try await limit(operation)
        var request = makeRequest(method, path, query: query, token: token)
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body.jsonData()))
        }
        let deadline = ContinuousClock.now.advanced(by: requestTimeout)
        let status: Int
        let retryAfter: String?
        let bytes: ByteBuffer
        do {
            let response = try await httpClient.execute(
                request, deadline: .now() + TimeAmount(requestTimeout), logger: logger)
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After")
            bytes = try await withDeadline(ContinuousClock.now.duration(to: deadline)) {
                try await response.body.collect(upTo: Self.maxResponseBytes)
            }
        } catch {
            let mapped = transportError(error, operation: operation).scrubbed(of: token)
            logger.debug("Kubernetes API request failed", metadata: ["k8s.op": "\(operation)", "k8s.error": "\(mapped.code)"])
            throw mapped
        }
        logger.debug("Kubernetes API request", metadata: ["k8s.op": "\(operation)", "k8s.status": "\(status)"])
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(status) else {
            throw KubeAPIError.fromResponse(httpStatus: status, body: data, retryAfter: retryAfter, operation: operation)
                .scrubbed(of: token)
        }
        if data.isEmpty { return .null }
        do {
            return try JSONValue.parse(json: data)
        } catch {
            throw KubeAPIError(code: .badResponse, message: "the answer to \(operation) is not JSON", httpStatus: status)
        }
    }

    func limit(_ operation: String) async throws(KubeAPIError) {
        do {
            try await rateLimiter.acquire()
        } catch {
            throw KubeAPIError(code: .timeout, message: "\(operation) was cancelled while waiting for the client rate limit")
        }
    }

    func makeRequest(_ method: HTTPMethod, _ path: String, query: [(String, String)], token: String?) -> HTTPClientRequest {
        var url = configuration.server + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "sysdig-metrics-adapter")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    /// Maps a failure below HTTP (connect, reset, TLS, deadline).
    func transportError(_ error: any Error, operation: String) -> KubeAPIError {
        if let error = error as? KubeAPIError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout, .connectTimeout:
                return KubeAPIError(code: .timeout, message: "\(operation) to \(configuration.server) timed out")
            case .cancelled:
                return KubeAPIError(code: .timeout, message: "\(operation) was cancelled")
            default:
                break
            }
        }
        if error is CancellationError {
            return KubeAPIError(code: .timeout, message: "\(operation) was cancelled")
        }
        if error is NIOTooManyBytesError {
            return KubeAPIError(code: .badResponse, message: "the answer to \(operation) is larger than \(Self.maxResponseBytes) bytes")
        }
        return KubeAPIError(
            code: .transport,
            message: KubeAPIError.truncate("\(operation) to \(configuration.server) failed: \(String(describing: error))", limit: 400))
    }
}
