import Foundation
import Shared

/// The served versions of `custom.metrics.k8s.io`.
public enum CustomMetricsAPIVersion: String, Sendable, Hashable, CaseIterable {
    case v1beta1
    case v1beta2

    /// `custom.metrics.k8s.io/<version>`.
    public var groupVersion: String { "custom.metrics.k8s.io/\(rawValue)" }
}

/// A version-neutral custom metric value, as a provider produces it; rendered per API version.
public struct CustomMetricValue: Sendable, Hashable {
    public var describedObject: ObjectReference
    public var metricName: String
    /// The metric selector echoed back; `null` on the wire when nil.
    public var selector: MetricSelectorJSON?
    public var timestamp: Date
    /// Omitted when nil (Go `*int64` with `omitempty`).
    public var windowSeconds: Int64?
    /// A Kubernetes Quantity string such as `105763m`.
    public var value: String

    /// Creates a value.
    public init(
        describedObject: ObjectReference, metricName: String, selector: MetricSelectorJSON? = nil,
        timestamp: Date, windowSeconds: Int64? = nil, value: String
    ) {
        self.describedObject = describedObject
        self.metricName = metricName
        self.selector = selector
        self.timestamp = timestamp
        self.windowSeconds = windowSeconds
        self.value = value
    }

    /// The item rendered for `version`.
    public func goJSON(version: CustomMetricsAPIVersion) -> GoJSON {
        switch version {
        case .v1beta1: CustomMetricValueV1Beta1(self).goJSON
        case .v1beta2: CustomMetricValueV1Beta2(self).goJSON
        }
    }
}

/// custom_metrics/v1beta1 `MetricValue`: `describedObject, metricName, timestamp, window?, value, selector`.
public struct CustomMetricValueV1Beta1: GoJSONEncodable, Hashable {
    public var value: CustomMetricValue

    /// Wraps a neutral value (the versions convert 1:1).
    public init(_ value: CustomMetricValue) {
        self.value = value
    }

    /// The window key is `window` in v1beta1; `selector` is not omitempty.
    public var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.add("describedObject", value.describedObject.goJSON)
        object.add("metricName", .string(value.metricName))
        object.add("timestamp", KubeTime.json(value.timestamp))
        if let window = value.windowSeconds { object.add("window", .integer(window)) }
        object.add("value", .string(value.value))
        object.add("selector", MetricSelectorJSON.json(value.selector))
        return object.object
    }
}

/// custom_metrics/v1beta2 `MetricValue`: `describedObject, metric{name, selector}, timestamp, windowSeconds?, value`.
public struct CustomMetricValueV1Beta2: GoJSONEncodable, Hashable {
    public var value: CustomMetricValue

    /// Wraps a neutral value (the versions convert 1:1).
    public init(_ value: CustomMetricValue) {
        self.value = value
    }

    /// The window key is `windowSeconds` in v1beta2.
    public var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.add("describedObject", value.describedObject.goJSON)
        object.add(
            "metric",
            .object([("name", .string(value.metricName)), ("selector", MetricSelectorJSON.json(value.selector))])
        )
        object.add("timestamp", KubeTime.json(value.timestamp))
        if let window = value.windowSeconds { object.add("windowSeconds", .integer(window)) }
        object.add("value", .string(value.value))
        return object.object
    }
}

/// `MetricValueList` of either version: `kind, apiVersion, metadata {}, items` (`[]`, never `null`).
public struct CustomMetricValueList: GoJSONEncodable, Hashable {
    public var version: CustomMetricsAPIVersion
    public var items: [CustomMetricValue]

    /// Creates a list rendered for `version`.
    public init(version: CustomMetricsAPIVersion, items: [CustomMetricValue]) {
        self.version = version
        self.items = items
    }

    /// The list document.
    public var goJSON: GoJSON {
        .object([
            ("kind", .string("MetricValueList")),
            ("apiVersion", .string(version.groupVersion)),
            ("metadata", .emptyObject),
            ("items", .array(items.map { $0.goJSON(version: version) })),
        ])
    }
}
