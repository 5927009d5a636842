import Foundation
import NIOCore

extension SysdigClient {
    /// `GET {base}/prometheus/api/v1/query?query=...&time=...` with the bearer token.
    ///
    /// Prometheus error bodies (`{"status":"error","errorType","error"}`) become
    /// `SysdigError`s carrying `errorType: error`, on any HTTP status; `warnings` and
    /// `infos` are logged. Values may be `NaN` or `±Inf`; the plan treats those as no data.
    public func queryPromQL(_ request: PromQLRequest, timeout: Duration) async throws -> PromQLResponse {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let path = request.pathAndQuery(time: now())
        let bytes = try await exchange(method: .get, path: path, body: nil, deadline: deadline)
        switch PromQLResponse.decode(Data(bytes.readableBytesView)) {
        case .success(let response):
            if !response.warnings.isEmpty {
                let token = await currentToken()
                for warning in response.warnings {
                    logger.warning("Sysdig PromQL warning", metadata: ["sysdig.warning": "\(Self.detail(warning, token: token))"])
                }
            }
            return response
        case .failure(.error(let type, let message)):
            // Sysdig's text may echo the request, token included: scrubbed like the Data API's errors.
            let detail = Self.detail("\(type): \(message)", token: await currentToken())
            throw SysdigError(
                code: .badRequest, message: "Sysdig at \(host) refused the PromQL query: \(detail)", httpStatus: 200)
        case .failure(.malformed(let reason)):
            logger.debug("Sysdig answer not understood", metadata: ["sysdig.path": "\(PromQLRequest.path)"])
            throw SysdigError(
                code: .badResponse,
                message: "Sysdig at \(host) answered \(PromQLRequest.path) with a body that is not a Prometheus answer: \(reason)",
                httpStatus: 200)
        }
    }

    /// The token the request was sent with, to scrub Sysdig's text of it (empty, so
    /// nothing is scrubbed, if it can no longer be read: the request had one).
    private func currentToken() async -> String {
        (try? await tokenProvider.token()) ?? ""
    }
}
