import Foundation
import Shared

/// The metrics API group-versions the server answers.
public enum MetricsAPIVersion: String, Sendable, Hashable, CaseIterable {
    case customV1beta1 = "custom.metrics.k8s.io/v1beta1"
    case customV1beta2 = "custom.metrics.k8s.io/v1beta2"
    case externalV1beta1 = "external.metrics.k8s.io/v1beta1"

    public var group: String { String(rawValue.prefix { $0 != "/" }) }
    public var version: String { String(rawValue.split(separator: "/").last ?? "") }
    public var isExternal: Bool { self == .externalV1beta1 }
}

/// A request path of the aggregated API, parsed (docs/metrics-api.md, "Paths" and "Query parameters").
public enum APIPath: Sendable, Hashable {
    /// `/apis`
    case groupList
    /// `/apis/{group}`
    case group(String)
    /// `/apis/{group}/{version}`: the APIResourceList.
    case resourceList(MetricsAPIVersion)
    /// A metric value request.
    case metric(MetricsAPIVersion, MetricQuery)

    public static let customGroup = "custom.metrics.k8s.io"
    public static let externalGroup = "external.metrics.k8s.io"

    /// Parses a path and its query parameters. Each path segment is percent-decoded
    /// first: the aggregator re-encodes `*` as `%2A` (docs/aggregation-layer.md,
    /// "How kube-apiserver proxies a request").
    public static func parse(path: String, query: [String: String]) throws(APIPathError) -> APIPath {
        let segments = try decodedSegments(path)
        guard segments.first == "apis" else { throw .notFound() }
        let rest = Array(segments.dropFirst())
        switch rest.count {
        case 0: return .groupList
        case 1:
            guard rest[0] == customGroup || rest[0] == externalGroup else { throw .notFound() }
            return .group(rest[0])
        default:
            guard let version = MetricsAPIVersion(rawValue: "\(rest[0])/\(rest[1])") else { throw .notFound() }
            let tail = Array(rest.dropFirst(2))
            if tail.isEmpty { return .resourceList(version) }
            if version.isExternal { return .metric(version, try externalQuery(tail, query: query)) }
            return .metric(version, try customQuery(tail, query: query))
        }
    }

    /// Splits and percent-decodes a path. An empty trailing segment (`/apis/`) is ignored.
    static func decodedSegments(_ path: String) throws(APIPathError) -> [String] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if parts.last == "" { parts = parts.dropLast() }
        var segments: [String] = []
        for part in parts {
            guard !part.isEmpty, let decoded = PercentDecoding.decode(part) else {
                throw .badRequest("invalid request path")
            }
            segments.append(decoded)
        }
        return segments
    }

    private static func customQuery(_ tail: [String], query: [String: String]) throws(APIPathError) -> MetricQuery {
        let metricSelector = try selector(query["metricLabelSelector"], parameter: "metricLabelSelector")
        switch tail.count {
        case 3 where tail[0] == "namespaces":
            // /namespaces/{ns}/{m} is not a namespace metric (only /namespaces/{ns}/metrics/{m} is):
            // the Go server reads it as resource {m} in namespace {ns} with no name
            // (docs/metrics-api.md, "Paths").
            throw .notFound()
        case 3:
            // /{resource}/{name}/{metric}: root-scoped objects, or a namespaced resource across all namespaces.
            return try objectQuery(resource: tail[0], namespace: nil, name: tail[1], metric: tail[2], query: query, metricSelector: metricSelector)
        case 4 where tail[0] == "namespaces" && tail[2] == "metrics":
            // /namespaces/{ns}/metrics/{metric}: a metric describing the namespace itself.
            guard let namespaces = KubeResource.lookup("namespaces") else { throw .notFound() }
            return MetricQuery(
                alias: tail[3], target: .object(resource: namespaces, namespace: nil, name: tail[1]),
                metricSelector: metricSelector)
        case 5 where tail[0] == "namespaces":
            return try objectQuery(resource: tail[2], namespace: tail[1], name: tail[3], metric: tail[4], query: query, metricSelector: metricSelector)
        default:
            throw .notFound()
        }
    }

    private static func objectQuery(
        resource name: String, namespace: String?, name objectName: String, metric: String,
        query: [String: String], metricSelector: LabelSelector
    ) throws(APIPathError) -> MetricQuery {
        guard let resource = KubeResource.lookup(name) else {
            throw .metricNotFound(metric: metric, groupResource: name, name: objectName == "*" ? nil : objectName)
        }
        if namespace != nil && !resource.namespaced { throw .notFound() }
        if objectName == "*" {
            let objects = try selector(query["labelSelector"], parameter: "labelSelector")
            return MetricQuery(
                alias: metric, target: .selector(resource: resource, namespace: namespace, selector: objects),
                metricSelector: metricSelector)
        }
        return MetricQuery(
            alias: metric, target: .object(resource: resource, namespace: namespace, name: objectName),
            metricSelector: metricSelector)
    }

    private static func externalQuery(_ tail: [String], query: [String: String]) throws(APIPathError) -> MetricQuery {
        guard tail.count == 3, tail[0] == "namespaces" else { throw .notFound() }
        let metricSelector = try selector(query["labelSelector"], parameter: "labelSelector")
        return MetricQuery(alias: tail[2], target: .external(namespace: tail[1]), metricSelector: metricSelector)
    }

    private static func selector(_ text: String?, parameter: String) throws(APIPathError) -> LabelSelector {
        guard let text, !text.isEmpty else { return LabelSelector() }
        do {
            return try LabelSelector.parse(text)
        } catch {
            throw .badRequest("invalid \(parameter) \"\(text)\": \(error.message)")
        }
    }

    /// Query parameters of a raw query string (`a=b&c=d`), percent- and `+`-decoded. Last one wins.
    public static func queryParameters(_ rawQuery: String?) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in (rawQuery ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                let spaced = text.contains("+") ? text.replacingOccurrences(of: "+", with: " ") : String(text)
                return PercentDecoding.decode(spaced) ?? String(text)
            }
            guard let key = parts.first else { continue }
            parameters[decode(key)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return parameters
    }
}

/// A path the API does not serve (404) or cannot parse (400).
public struct APIPathError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable { case notFound, badRequest }
    public var code: Code
    public var message: String
    /// For unknown metric/resource combinations: the pieces of the Go library's message.
    public var metric: String?
    public var groupResource: String?
    public var name: String?

    public var description: String { message }

    static func notFound() -> APIPathError {
        APIPathError(code: .notFound, message: "the server could not find the requested resource")
    }

    static func badRequest(_ message: String) -> APIPathError {
        APIPathError(code: .badRequest, message: message)
    }

    static func metricNotFound(metric: String, groupResource: String, name: String?) -> APIPathError {
        var message = "the server could not find the metric \(metric) for \(groupResource)"
        if let name { message += " \(name)" }
        return APIPathError(code: .notFound, message: message, metric: metric, groupResource: groupResource, name: name)
    }
}
