import Foundation
import Shared

/// external_metrics/v1beta1 `ExternalMetricValue` (docs/metrics-api.md, "External metric values").
public struct ExternalMetricValue: GoJSONEncodable, Hashable {
    public var metricName: String
    /// Rendered `{}` when empty (the Go field is not omitempty, and `null` would be wrong).
    public var metricLabels: [String: String]
    public var timestamp: Date
    /// Omitted when nil; the key is `window`.
    public var windowSeconds: Int64?
    /// A Kubernetes Quantity string such as `12`.
    public var value: String

    /// Creates a value.
    public init(
        metricName: String, metricLabels: [String: String] = [:], timestamp: Date,
        windowSeconds: Int64? = nil, value: String
    ) {
        self.metricName = metricName
        self.metricLabels = metricLabels
        self.timestamp = timestamp
        self.windowSeconds = windowSeconds
        self.value = value
    }

    /// `metricName, metricLabels, timestamp, window?, value`.
    public var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.add("metricName", .string(metricName))
        object.add("metricLabels", GoJSON.sortedStringMap(metricLabels))
        object.add("timestamp", KubeTime.json(timestamp))
        if let windowSeconds { object.add("window", .integer(windowSeconds)) }
        object.add("value", .string(value))
        return object.object
    }
}

/// `ExternalMetricValueList`: `kind, apiVersion external.metrics.k8s.io/v1beta1, metadata {}, items`.
public struct ExternalMetricValueList: GoJSONEncodable, Hashable {
    public var items: [ExternalMetricValue]

    /// Creates a list.
    public init(items: [ExternalMetricValue]) {
        self.items = items
    }

    /// The list document (`items` is `[]` when empty, never `null`).
    public var goJSON: GoJSON {
        .object([
            ("kind", .string("ExternalMetricValueList")),
            ("apiVersion", .string("external.metrics.k8s.io/v1beta1")),
            ("metadata", .emptyObject),
            ("items", .array(items.map(\.goJSON))),
        ])
    }
}
