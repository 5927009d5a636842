import Foundation

/// One instant query to Sysdig's Prometheus-compatible API
/// (`GET {base}/prometheus/api/v1/query`; docs/sysdig-api.md, "Prometheus-compatible API").
///
/// Plans leave `time` nil ("now"), so identical questions share a cache entry; the
/// client sends the evaluation time it used as the `time` parameter.
public struct PromQLRequest: Sendable, Hashable {
    /// The query with every placeholder substituted.
    public var query: String
    /// Evaluation time; nil means the client's "now".
    public var time: Date?

    public init(query: String, time: Date? = nil) {
        self.query = query
        self.time = time
    }

    /// API path of the query endpoint.
    public static let path = "/prometheus/api/v1/query"

    /// Path and query string as sent: `/prometheus/api/v1/query?query=...&time=...`.
    /// `time` is Unix seconds with millisecond precision.
    public func pathAndQuery(time: Date? = nil) -> String {
        var text = Self.path + "?query=" + Self.percentEncode(query)
        if let at = self.time ?? time {
            let milliseconds = (at.timeIntervalSince1970 * 1000).rounded()
            text += "&time=" + Self.formatSeconds(milliseconds: Int64(milliseconds))
        }
        return text
    }

    /// `1714564805.123` or `1714564805` (no trailing zeros).
    static func formatSeconds(milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        let fraction = abs(milliseconds % 1000)
        guard fraction != 0 else { return "\(seconds)" }
        var digits = String(fraction + 1000).dropFirst()
        while digits.last == "0" { digits.removeLast() }
        return "\(seconds).\(digits)"
    }

    /// Percent-encodes everything except RFC 3986 unreserved characters.
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "-._~".unicodeScalars.contains(scalar)
            {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + PromQLLiteral.hex(UInt32(byte), digits: 2)
            }
        }
        return out
    }
}

/// A successful instant-query answer, reduced to samples.
public struct PromQLResponse: Sendable, Hashable {
    /// One series' value. `value` may be NaN or infinite; plans treat those as no data.
    public struct Sample: Sendable, Hashable {
        public var labels: [String: String]
        public var value: Double
        /// Unix seconds (fractional).
        public var timestamp: Double

        public init(labels: [String: String], value: Double, timestamp: Double) {
            self.labels = labels
            self.value = value
            self.timestamp = timestamp
        }
    }

    /// `vector`, `scalar` or `matrix` (a matrix keeps each series' latest point).
    public var resultType: String
    public var samples: [Sample]
    /// `warnings` and `infos` from the answer.
    public var warnings: [String]

    public init(resultType: String, samples: [Sample], warnings: [String] = []) {
        self.resultType = resultType
        self.samples = samples
        self.warnings = warnings
    }

    /// What `decode` could not accept.
    public enum DecodeFailure: Error, Sendable, Hashable {
        /// Not the Prometheus JSON shape.
        case malformed(String)
        /// `{"status":"error","errorType":..,"error":..}`.
        case error(type: String, message: String)
    }

    /// Parses a Prometheus API body. Values are strings (`"12.5"`, `"NaN"`, `"+Inf"`).
    public static func decode(_ data: Data) -> Result<PromQLResponse, DecodeFailure> {
        guard let root = try? JSONValue.parse(json: data), case .object(let object) = root else {
            return .failure(.malformed("the body is not a JSON object"))
        }
        let warnings = (object["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
            + (object["infos"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard object["status"]?.stringValue == "success" else {
            if object["status"]?.stringValue == "error" {
                return .failure(.error(
                    type: object["errorType"]?.stringValue ?? "unknown",
                    message: object["error"]?.stringValue ?? "no error text"))
            }
            return .failure(.malformed("\"status\" is neither \"success\" nor \"error\""))
        }
        guard let data = object["data"]?.objectValue, let type = data["resultType"]?.stringValue,
            let result = data["result"]
        else {
            return .failure(.malformed("\"data.resultType\" or \"data.result\" is missing"))
        }
        var samples: [Sample] = []
        switch (type, result) {
        case ("scalar", _):
            guard let point = point(result) else { return .failure(.malformed("bad scalar value")) }
            samples = [Sample(labels: [:], value: point.value, timestamp: point.time)]
        case ("vector", .array(let series)), ("matrix", .array(let series)):
            for entry in series {
                let labels = (entry["metric"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
                let raw = type == "vector" ? entry["value"] : entry["values"]?.arrayValue?.last
                guard let raw else {
                    if type == "matrix" { continue }
                    return .failure(.malformed("a vector sample has no value"))
                }
                guard let point = point(raw) else { return .failure(.malformed("bad sample value")) }
                samples.append(Sample(labels: labels, value: point.value, timestamp: point.time))
            }
        default:
            return .failure(.malformed("result type \"\(type)\" is not usable as a metric value"))
        }
        return .success(PromQLResponse(resultType: type, samples: samples, warnings: warnings))
    }

    /// `[1714564805.123, "12.5"]`.
    static func point(_ value: JSONValue) -> (time: Double, value: Double)? {
        guard case .array(let pair) = value, pair.count == 2, case .number(let time) = pair[0],
            case .string(let text) = pair[1], let number = parseValue(text)
        else { return nil }
        return (time, number)
    }

    /// Go's `strconv.ParseFloat` spellings Prometheus emits: numbers, `NaN`, `+Inf`, `-Inf`.
    static func parseValue(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": return .nan
        case "+inf", "inf": return .infinity
        case "-inf": return -.infinity
        default: return Double(text)
        }
    }
}
