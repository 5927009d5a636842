import Foundation

/// The two custom resources that configure the adapter (group `metrics.sysdig.com`, version `v1alpha1`).
public enum MappingKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `SysdigMetricMapping`: namespaced; answers only queries about objects in its own namespace.
    case namespaced = "SysdigMetricMapping"
    /// `ClusterSysdigMetricMapping`: cluster-wide default for an alias.
    case cluster = "ClusterSysdigMetricMapping"

    public static let group = "metrics.sysdig.com"
    public static let version = "v1alpha1"
    public static let apiVersion = "\(group)/\(version)"

    /// Lowercase plural used in API paths.
    public var plural: String {
        switch self {
        case .namespaced: "sysdigmetricmappings"
        case .cluster: "clustersysdigmetricmappings"
        }
    }

    public static func < (lhs: MappingKind, rhs: MappingKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Identity of one mapping object: kind, namespace (nil for cluster mappings), name.
public struct MappingKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let kind: MappingKind
    public let namespace: String?
    public let name: String

    public init(kind: MappingKind, namespace: String?, name: String) {
        self.kind = kind
        self.namespace = kind == .cluster ? nil : namespace
        self.name = name
    }

    /// `SysdigMetricMapping shop/web` or `ClusterSysdigMetricMapping web`.
    public var description: String {
        if let namespace { return "\(kind.rawValue) \(namespace)/\(name)" }
        return "\(kind.rawValue) \(name)"
    }

    public static func < (lhs: MappingKey, rhs: MappingKey) -> Bool {
        (lhs.kind, lhs.namespace ?? "", lhs.name) < (rhs.kind, rhs.namespace ?? "", rhs.name)
    }
}

/// The subset of `metav1.ObjectMeta` the adapter uses.
public struct ObjectMeta: Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: Date?
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(
        name: String, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil,
        generation: Int64? = nil, creationTimestamp: Date? = nil,
        labels: [String: String] = [:], annotations: [String: String] = [:]
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.labels = labels
        self.annotations = annotations
    }
}

/// A `SysdigMetricMapping` or `ClusterSysdigMetricMapping` as it appears in the cluster.
public struct MetricMapping: Sendable, Hashable {
    public var kind: MappingKind
    public var metadata: ObjectMeta
    public var spec: MappingSpec

    public init(kind: MappingKind, metadata: ObjectMeta, spec: MappingSpec) {
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
    }

    public var key: MappingKey { MappingKey(kind: kind, namespace: metadata.namespace, name: metadata.name) }
}

/// `spec` of a mapping.
public struct MappingSpec: Sendable, Hashable {
    /// The alias HPAs use as the metric name.
    public var metricName: String
    /// The Sysdig query behind the alias: a Data API metric or a PromQL template.
    public var backend: MappingBackend
    /// The Kubernetes resources the alias describes.
    public var objects: [ObjectTarget]
    /// Also serve the alias on external.metrics.k8s.io.
    public var external: Bool
    /// `spec.externalScope` as written (nil: not set, which means `.namespace`).
    public var externalScope: ExternalScope?
    /// Sampling window; a multiple of 10 s between 10 s and 1 h.
    public var window: KubeDuration
    /// What an empty Sysdig answer means.
    public var noData: NoDataPolicy
    /// Factor applied to every value (unit conversion).
    public var multiplier: Double?
    /// Overrides the server's cache TTL for this alias; `0s` disables caching.
    public var cacheTTL: KubeDuration?

    public static let defaultWindow = KubeDuration(seconds: 60)

    /// `spec.sysdig` when the backend is the Data API.
    public var sysdig: SysdigBackendSpec? {
        if case .sysdig(let spec) = backend { return spec }
        return nil
    }

    /// `spec.promql` when the backend is the Prometheus-compatible API.
    public var promql: PromQLBackendSpec? {
        if case .promql(let spec) = backend { return spec }
        return nil
    }

    /// A Data API mapping.
    public init(
        metricName: String, sysdig: SysdigBackendSpec, objects: [ObjectTarget], external: Bool = false,
        externalScope: ExternalScope? = nil, window: KubeDuration = MappingSpec.defaultWindow,
        noData: NoDataPolicy = .error, multiplier: Double? = nil, cacheTTL: KubeDuration? = nil
    ) {
        self.init(
            metricName: metricName, backend: .sysdig(sysdig), objects: objects, external: external,
            externalScope: externalScope, window: window, noData: noData, multiplier: multiplier, cacheTTL: cacheTTL)
    }

    /// A mapping with either backend.
    public init(
        metricName: String, backend: MappingBackend, objects: [ObjectTarget], external: Bool = false,
        externalScope: ExternalScope? = nil, window: KubeDuration = MappingSpec.defaultWindow,
        noData: NoDataPolicy = .error, multiplier: Double? = nil, cacheTTL: KubeDuration? = nil
    ) {
        self.metricName = metricName
        self.backend = backend
        self.objects = objects
        self.external = external
        self.externalScope = externalScope
        self.window = window
        self.noData = noData
        self.multiplier = multiplier
        self.cacheTTL = cacheTTL
    }
}

/// `spec.externalScope`: which series an external query may read.
public enum ExternalScope: String, Sendable, Hashable, CaseIterable {
    /// Only the requesting HPA's namespace (the default): the namespace is always part
    /// of the query, so an external metric never reads another tenant's namespace.
    case namespace
    /// Every namespace of the cluster, for series cluster-wide by nature (a shared
    /// broker's queue depth). Only a ClusterSysdigMetricMapping may say so.
    case cluster
}

/// Which Sysdig API answers a mapping: exactly one of `spec.sysdig` and `spec.promql`.
public enum MappingBackend: Sendable, Hashable {
    /// `spec.sysdig`: the legacy Data API (`POST /api/data`).
    case sysdig(SysdigBackendSpec)
    /// `spec.promql`: the Prometheus-compatible API (`GET /prometheus/api/v1/query`).
    case promql(PromQLBackendSpec)
}

/// `spec.promql`: a PromQL query template (see `PromQLTemplate` for the placeholders).
public struct PromQLBackendSpec: Sendable, Hashable {
    /// The template as written, e.g.
    /// `sum by (<<.GroupBy>>) (rate(sysdig_container_net_http_request_count{<<.LabelMatchers>>}[<<.Window>>]))`.
    public var query: String

    public init(query: String) {
        self.query = query
    }
}

/// `spec.sysdig`: a Data API metric with its aggregations and an optional extra scope.
public struct SysdigBackendSpec: Sendable, Hashable {
    public var metric: String
    public var timeAggregation: String
    public var groupAggregation: String
    /// Extra scope expression ANDed to every query, as written by the user.
    public var scope: String?

    public static let timeAggregations = ["avg", "timeAvg", "sum", "min", "max", "rateOfChange"]
    public static let groupAggregations = ["avg", "sum", "min", "max"]
    public static let defaultTimeAggregation = "timeAvg"
    public static let defaultGroupAggregation = "avg"

    public init(
        metric: String, timeAggregation: String = SysdigBackendSpec.defaultTimeAggregation,
        groupAggregation: String = SysdigBackendSpec.defaultGroupAggregation, scope: String? = nil
    ) {
        self.metric = metric
        self.timeAggregation = timeAggregation
        self.groupAggregation = groupAggregation
        self.scope = scope
    }
}

/// One entry of `spec.objects`: a resource and, optionally, the Sysdig label naming its objects.
public struct ObjectTarget: Sendable, Hashable {
    /// As written: `services`, `deployments.apps`, `rollouts.argoproj.io`.
    public var resource: String
    /// Overrides the resource's default Sysdig label.
    public var label: String?

    public init(resource: String, label: String? = nil) {
        self.resource = resource
        self.label = label
    }
}

/// `spec.noData`: what an empty Sysdig answer means. Never a silent 0.
public enum NoDataPolicy: Sendable, Hashable {
    /// Report an error; the HPA keeps its current replica count. The default.
    case error
    /// Answer this value instead.
    case value(Double)
}
