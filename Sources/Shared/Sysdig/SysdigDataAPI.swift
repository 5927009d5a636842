import Foundation

/// A request to Sysdig's legacy Data API (`POST {base}/api/data`; docs/sysdig-api.md, "Data API").
///
/// Encoded with sorted keys so the body is byte-for-byte reproducible (cache keys,
/// `explain` output and tests all rely on that).
public struct SysdigDataRequest: Sendable, Hashable, Codable {
    /// One entry of `metrics[]`: a segmentation key when `aggregations` is nil, a value otherwise.
    public struct Metric: Sendable, Hashable, Codable {
        public var id: String
        public var aggregations: Aggregations?

        public init(id: String, aggregations: Aggregations? = nil) {
            self.id = id
            self.aggregations = aggregations
        }
    }

    /// Time and group aggregation names, lowercase as Sysdig lists them (`timeAvg`, `avg`, ...).
    public struct Aggregations: Sendable, Hashable, Codable {
        public var time: String
        public var group: String

        public init(time: String, group: String) {
            self.time = time
            self.group = group
        }
    }

    /// Inclusive segment range; Sysdig's default is 0...9, so segmented queries must set it.
    public struct Paging: Sendable, Hashable, Codable {
        public var from: Int
        public var to: Int

        public init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }
    }

    /// Seconds back from now.
    public var last: Int
    /// Sample width in seconds; only 10, 60, 600, 3600, 86400 are valid. Nil asks for one aggregated sample.
    public var sampling: Int?
    public var metrics: [Metric]
    /// Scope expression, rendered by `ScopeExpression`; never built by string concatenation.
    public var filter: String?
    public var dataSourceType: String?
    public var paging: Paging?

    public init(
        last: Int, sampling: Int? = nil, metrics: [Metric], filter: String? = nil,
        dataSourceType: String? = nil, paging: Paging? = nil
    ) {
        self.last = last
        self.sampling = sampling
        self.metrics = metrics
        self.filter = filter
        self.dataSourceType = dataSourceType
        self.paging = paging
    }

    /// The JSON body exactly as sent: compact, sorted keys.
    public func encodedBody() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// One value inside a Data API `d` array: a segment label, a number or null.
public enum SysdigValue: Sendable, Hashable, Codable {
    case null
    case number(Double)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a number, a string or null")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}

/// The Data API answer: `{"data":[{"t":..,"d":[..]}],"start":..,"end":..}`.
public struct SysdigDataResponse: Sendable, Hashable, Codable {
    public struct Sample: Sendable, Hashable, Codable {
        /// Unix seconds; present when the request set `sampling`.
        public var t: Int?
        /// Segment keys first, in request order, then values.
        public var d: [SysdigValue]

        public init(t: Int?, d: [SysdigValue]) {
            self.t = t
            self.d = d
        }
    }

    public var data: [Sample]
    public var start: Int?
    public var end: Int?

    public init(data: [Sample], start: Int? = nil, end: Int? = nil) {
        self.data = data
        self.start = start
        self.end = end
    }
}

/// A metric descriptor from `GET /api/v2/metrics/descriptors` (only the fields we use).
public struct SysdigMetricDescriptor: Sendable, Hashable, Codable {
    public var id: String
    public var metricType: String?
    public var type: String?
    public var timeAggregations: [String]
    public var groupAggregations: [String]

    public init(
        id: String, metricType: String? = nil, type: String? = nil,
        timeAggregations: [String], groupAggregations: [String]
    ) {
        self.id = id
        self.metricType = metricType
        self.type = type
        self.timeAggregations = timeAggregations
        self.groupAggregations = groupAggregations
    }
}

/// The seam between the metrics server and Sysdig. The real implementation is
/// `SysdigClient`; tests run it against `SysdigSimulator` rather than stubbing it.
///
/// Implementations throw only `SysdigError`.
public protocol SysdigQuerying: Sendable {
    /// Runs one Data API query. `timeout` bounds the whole exchange.
    func queryData(_ request: SysdigDataRequest, timeout: Duration) async throws -> SysdigDataResponse
    /// Lists every metric descriptor (all pages).
    func metricDescriptors(timeout: Duration) async throws -> [SysdigMetricDescriptor]
    /// Runs one instant query on the Prometheus-compatible API. `timeout` bounds the whole exchange.
    func queryPromQL(_ request: PromQLRequest, timeout: Duration) async throws -> PromQLResponse
}

extension SysdigQuerying {
    /// Backends that only speak the Data API refuse PromQL queries.
    public func queryPromQL(_ request: PromQLRequest, timeout: Duration) async throws -> PromQLResponse {
        throw SysdigError(code: .configuration, message: "this Sysdig backend does not support PromQL queries")
    }
}

/// Everything that can go wrong talking to Sysdig. `message` is safe to show to
/// clients and to log: it never contains the API token or request headers.
public struct SysdigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Extensible error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case unauthorized, forbidden, badRequest, notFound, rateLimited, unavailable, timeout, badResponse
            case configuration
        }
        fileprivate let base: Base
        public var description: String { base.rawValue }

        /// 401: the token was refused.
        public static let unauthorized = Code(base: .unauthorized)
        /// 403: the token's team cannot see this data.
        public static let forbidden = Code(base: .forbidden)
        /// Other 4xx: Sysdig refused the query (unknown metric, bad filter...).
        public static let badRequest = Code(base: .badRequest)
        /// 404 from Sysdig (wrong URL or endpoint missing).
        public static let notFound = Code(base: .notFound)
        /// 429, or our own client-side rate limit refused to wait long enough.
        public static let rateLimited = Code(base: .rateLimited)
        /// 5xx, connection refused or reset, DNS failure.
        public static let unavailable = Code(base: .unavailable)
        /// The deadline passed before Sysdig answered.
        public static let timeout = Code(base: .timeout)
        /// 2xx with a body we could not understand.
        public static let badResponse = Code(base: .badResponse)
        /// Our own Sysdig settings are unusable (token file missing, unreadable or empty).
        /// Never reached Sysdig; the message names the file, never its contents.
        public static let configuration = Code(base: .configuration)
    }

    public var code: Code
    /// Human-readable, token-free.
    public var message: String
    /// HTTP status from Sysdig, when there was one.
    public var httpStatus: Int?
    /// From a `Retry-After` header on 429/503.
    public var retryAfter: Duration?

    public init(code: Code, message: String, httpStatus: Int? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    public var description: String { "sysdig \(code): \(message)" }
}
