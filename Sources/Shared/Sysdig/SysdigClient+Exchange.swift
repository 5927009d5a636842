import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

extension SysdigClient {
    enum Method: Sendable {
        case get, post
    }

    /// What came back before the status was judged.
    struct Outcome: Sendable {
        var status: Int
        var retryAfter: String?
        var body: ByteBuffer
    }

    /// One HTTP round trip, bounded by `deadline` from connect to the last body byte.
    /// Returns the body of a 2xx answer; throws a scrubbed `SysdigError` otherwise.
    func exchange(method: Method, path: String, body: Data?, deadline: ContinuousClock.Instant) async throws
        -> ByteBuffer
    {
        let token = try await resolveToken()
        let request = makeRequest(method: method, path: path, body: body, token: token)
        let logPath = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let outcome: Outcome
        do {
            let headDeadline = NIODeadline.now() + TimeAmount(ContinuousClock.now.duration(to: deadline))
            let response = try await httpClient.execute(request, deadline: headDeadline, logger: logger)
            let body = try await withDeadline(ContinuousClock.now.duration(to: deadline)) {
                try await response.body.collect(upTo: Self.maxResponseBytes)
            }
            outcome = Outcome(
                status: Int(response.status.code),
                retryAfter: response.headers.first(name: "Retry-After"),
                body: body)
        } catch {
            let mapped = transportError(error, token: token)
            logger.debug(
                "Sysdig request failed",
                metadata: ["sysdig.path": "\(logPath)", "sysdig.error.code": "\(mapped.code)"])
            throw mapped
        }
        logger.debug(
            "Sysdig request finished",
            metadata: ["sysdig.path": "\(logPath)", "sysdig.status": "\(outcome.status)"])
        guard (200..<300).contains(outcome.status) else {
            throw statusError(outcome, path: logPath, token: token)
        }
        return outcome.body
    }

    private func resolveToken() async throws -> String {
        do {
            return try await tokenProvider.token()
        } catch let error as SysdigError {
            throw error
        } catch {
            throw SysdigError(code: .configuration, message: "the Sysdig API token is not available")
        }
    }

    private func makeRequest(method: Method, path: String, body: Data?, token: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        switch method {
        case .get: request.method = .GET
        case .post: request.method = .POST
        }
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "X-Sysdig-Product", value: "SDC")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }
}
