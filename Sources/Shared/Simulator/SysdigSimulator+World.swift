import Foundation
import Shared

extension SysdigSimulator {
    /// The scripted monitoring data the simulator answers from: a set of entities
    /// (label sets) and the metrics measured on them.
    public struct World: Sendable {
        /// A metric the simulator knows, with the aggregations Sysdig would allow.
        public struct Metric: Sendable {
            /// Sysdig metric id, e.g. `net.http.request.count`.
            public var id: String
            /// `gauge`, `counter`, ...
            public var metricType: String
            /// `number`, `%`, `byte`, ...
            public var type: String
            /// Time aggregations a request may use (case-sensitive, as Sysdig lists them).
            public var timeAggregations: [String]
            /// Group aggregations a request may use.
            public var groupAggregations: [String]
            /// The name on the Prometheus-compatible API, e.g. `sysdig_container_cpu_used_percent`.
            public var prometheusName: String
            /// The value on one entity at one instant; nil when the metric does not
            /// apply to that entity (or has no data then).
            public var value: @Sendable (_ labels: [String: String], _ at: Date) -> Double?

            /// Aggregations as Sysdig lists them for ordinary numeric metrics.
            public static let standardTimeAggregations = ["avg", "timeAvg", "sum", "min", "max", "rateOfChange"]
            /// Group aggregations Sysdig lists for numeric metrics.
            public static let standardGroupAggregations = ["avg", "sum", "min", "max"]

            /// A metric with Sysdig's standard aggregations unless told otherwise.
            public init(
                id: String, metricType: String = "gauge", type: String = "number",
                timeAggregations: [String] = Metric.standardTimeAggregations,
                groupAggregations: [String] = Metric.standardGroupAggregations,
                prometheusName: String? = nil,
                value: @escaping @Sendable (_ labels: [String: String], _ at: Date) -> Double?
            ) {
                self.id = id
                self.metricType = metricType
                self.type = type
                self.timeAggregations = timeAggregations
                self.groupAggregations = groupAggregations
                self.prometheusName = prometheusName ?? SysdigSimulator.World.sanitize(id)
                self.value = value
            }
        }

        /// Every entity, each a label set such as `kubernetes.pod.name: web-1`.
        public var entities: [[String: String]]
        /// Metrics by id, in declaration order (the descriptor listing keeps that order).
        public var metrics: [Metric]
        /// Labels accepted as segmentation keys and in filters even if no entity carries them.
        public var extraLabels: Set<String>

        /// A world of `entities` measured by `metrics`.
        public init(entities: [[String: String]], metrics: [Metric], extraLabels: Set<String> = []) {
            self.entities = entities
            self.metrics = metrics
            self.extraLabels = extraLabels
        }

        /// Every label the simulator accepts: those on entities plus `extraLabels`.
        public var knownLabels: Set<String> {
            entities.reduce(into: extraLabels) { $0.formUnion($1.keys) }
        }

        /// The metric with this Prometheus name, if the world has one.
        public func metric(prometheusName name: String) -> Metric? {
            metrics.first { $0.prometheusName == name }
        }

        /// The metric with this id, if the world has one.
        public func metric(_ id: String) -> Metric? {
            metrics.first { $0.id == id }
        }
    }
}
