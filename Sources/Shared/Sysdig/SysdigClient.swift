import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The real `SysdigQuerying`: Sysdig Monitor's Data API and metric descriptors over
/// HTTPS (docs/sysdig-api.md: base URL and authentication, the Data API, metric descriptors).
///
/// Every failure is a `SysdigError` whose message is scrubbed of the token, even when
/// Sysdig echoes it back. The caller owns `httpClient` and shares it, so connections
/// are reused across queries.
public struct SysdigClient: SysdigQuerying {
    /// Largest answer body accepted; anything larger is a `.badResponse`.
    public static let maxResponseBytes = 32 * 1024 * 1024
    /// Page size used when listing metric descriptors.
    public static let descriptorPageSize = 1000

    /// Base URL without trailing slashes, e.g. `https://eu1.app.sysdig.com`.
    public let baseURL: String
    let host: String
    let tokenProvider: any SysdigTokenProviding
    let httpClient: HTTPClient
    let logger: Logger
    /// "Now" for the `time` parameter of PromQL queries.
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - baseURL: Sysdig Monitor API root, with or without a trailing `/` or `/api`
    ///     (see `normalizedBaseURL(_:)`).
    ///   - token: where the API token comes from on every request.
    ///   - httpClient: a shared client; this type never shuts it down.
    ///   - logger: debug lines and PromQL warnings; never receives the token.
    ///   - now: evaluation time sent with PromQL queries; inject a fixed clock in tests.
    public init(
        baseURL: String, token: any SysdigTokenProviding, httpClient: HTTPClient, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let base = Self.normalizedBaseURL(baseURL)
        self.baseURL = base
        self.host = URL(string: base)?.host ?? base
        self.tokenProvider = token
        self.httpClient = httpClient
        self.logger = logger
        self.now = now
    }

    /// The base URL requests are built on: trailing slashes and one trailing `/api`
    /// segment removed. The Go adapter this replaces was configured with
    /// `SDC_ENDPOINT=https://app.sysdigcloud.com/api/`, so both that form and the bare
    /// host (`https://app.sysdigcloud.com`) reach `{host}/api/data`, never `/api/api/data`.
    public static func normalizedBaseURL(_ url: String) -> String {
        var base = url.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/api"), let range = base.range(of: "://"), base[range.upperBound...].contains("/") {
            base.removeLast(4)
            while base.hasSuffix("/") { base.removeLast() }
        }
        return base
    }

    /// `POST {base}/api/data` with `request.encodedBody()`.
    public func queryData(_ request: SysdigDataRequest, timeout: Duration) async throws -> SysdigDataResponse {
        let body: Data
        do {
            body = try request.encodedBody()
        } catch {
            throw SysdigError(code: .badRequest, message: "cannot encode the Data API request")
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let bytes = try await exchange(method: .post, path: "/api/data", body: body, deadline: deadline)
        return try decode(SysdigDataResponse.self, from: bytes, path: "/api/data")
    }

    /// Every descriptor, `GET {base}/api/v2/metrics/descriptors` page by page until a
    /// page is shorter than the page size. `timeout` bounds the whole listing.
    public func metricDescriptors(timeout: Duration) async throws -> [SysdigMetricDescriptor] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let limit = Self.descriptorPageSize
        let path = "/api/v2/metrics/descriptors"
        var all: [SysdigMetricDescriptor] = []
        var offset = 0
        while true {
            let bytes = try await exchange(
                method: .get, path: "\(path)?offset=\(offset)&limit=\(limit)", body: nil, deadline: deadline)
            let page = try decode(DescriptorPage.self, from: bytes, path: path)
            all.append(contentsOf: page.metricDescriptors.map(\.descriptor))
            guard page.metricDescriptors.count >= limit else { return all }
            offset += limit
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from bytes: ByteBuffer, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes.readableBytesView))
        } catch {
            logger.debug("Sysdig answer not understood", metadata: ["sysdig.path": "\(path)"])
            throw SysdigError(
                code: .badResponse,
                message: "Sysdig at \(host) answered \(path) with a body that is not the expected JSON",
                httpStatus: 200)
        }
    }
}

/// `{"total":..,"offset":..,"metricDescriptors":[..]}`; lenient about missing lists.
private struct DescriptorPage: Decodable {
    struct Entry: Decodable {
        var id: String
        var metricType: String?
        var type: String?
        var timeAggregations: [String]?
        var groupAggregations: [String]?

        var descriptor: SysdigMetricDescriptor {
            SysdigMetricDescriptor(
                id: id, metricType: metricType, type: type,
                timeAggregations: timeAggregations ?? [], groupAggregations: groupAggregations ?? [])
        }
    }

    var metricDescriptors: [Entry]
}
