import Foundation
import Prometheus
import Synchronization

/// The adapter's own metrics, exposed at `/metrics` in the Prometheus text format.
/// Names follow Prometheus conventions (`sysdig_adapter_…_total`, `_seconds`).
/// Counters and histograms live in a swift-prometheus registry; values that are
/// state rather than events (cache statistics, mappings by state, leadership) are
/// read at scrape time by `collectors`, so they can never drift.
public final class AdapterMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let collectors = Mutex<[@Sendable () -> [String]]>([])
    private let counters = Mutex<[String: Counter]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])
    private let leader = Mutex<Bool?>(nil)

    static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    public static let version = "0.1.0"

    // Closed label sets. A label value taken from a request (path, alias, namespace,
    // Sysdig's text) would make one series per distinct value, kept for ever: every
    // label below is one the adapter defines, and anything else is `other`.

    /// Path kinds of `sysdig_adapter_api_requests_total` (RequestMetricsMiddleware).
    public static let apiKinds: Set<String> = ["discovery", "object", "selector", "namespace", "external", "health", "other"]
    /// The group/versions the server answers.
    public static let apiVersions: Set<String> = [
        "custom.metrics.k8s.io/v1beta1", "custom.metrics.k8s.io/v1beta2", "external.metrics.k8s.io/v1beta1",
    ]
    /// HTTP codes labelled exactly; any other is its class (`2xx` … `5xx`, else `other`).
    public static let exactCodes: Set<Int> = [200, 400, 401, 403, 404, 406, 429, 500, 503, 504]
    /// Outcomes of `sysdig_adapter_sysdig_requests_total`.
    public static let sysdigOutcomes: Set<String> = ["ok", "4xx", "429", "5xx", "timeout", "error"]
    /// Kinds of the watch restart and relist counters: the mapping kinds.
    public static let watchKinds = Set(MappingKind.allCases.map(\.rawValue))
    /// The value used for anything outside a closed set.
    public static let otherLabel = "other"

    /// `value` when it is in `allowed`, else `other`.
    public static func bounded(_ value: String, to allowed: Set<String>) -> String {
        allowed.contains(value) ? value : otherLabel
    }

    /// The `code` label: the code itself for `exactCodes`, else its class (`5xx`).
    public static func codeLabel(_ code: Int) -> String {
        if exactCodes.contains(code) { return String(code) }
        return (100..<600).contains(code) ? "\(code / 100)xx" : otherLabel
    }

    public init() {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "sysdig_adapter_build_info", unitName: "", helpText: "Build information."),
            labels: [("version", Self.version)]
        ).set(to: 1.0)
    }

    /// One answered API request. Every label comes from a closed set, whatever the
    /// request was: `kind` and `version` outside `apiKinds`/`apiVersions` count as
    /// `other`, and `code` is bucketed by `codeLabel(_:)`. An empty version is a path
    /// without one (`/apis`, `/healthz`, `/metrics`).
    public func apiRequest(kind: String, version: String, code: Int, duration: Duration) {
        let kind = Self.bounded(kind, to: Self.apiKinds)
        let version = version.isEmpty ? "" : Self.bounded(version, to: Self.apiVersions)
        counter(
            "sysdig_adapter_api_requests_total", [("kind", kind), ("version", version), ("code", Self.codeLabel(code))],
            help: "Metrics API requests answered, by path kind, API version and HTTP code."
        ).increment()
        histogram(
            "sysdig_adapter_api_request_duration_seconds", [("kind", kind)],
            help: "Metrics API request latency, by path kind.").record(duration)
    }

    /// One request sent to Sysdig: `outcome` is one of `sysdigOutcomes` (else `other`).
    public func sysdigRequest(outcome: String, duration: Duration) {
        counter(
            "sysdig_adapter_sysdig_requests_total", [("outcome", Self.bounded(outcome, to: Self.sysdigOutcomes))],
            help: "Requests sent to Sysdig, by outcome.").increment()
        histogram(
            "sysdig_adapter_sysdig_request_duration_seconds", [],
            help: "Sysdig request latency.").record(duration)
    }

    /// One reconcile pass (a snapshot published).
    public func reconciled(duration: Duration) {
        counter("sysdig_adapter_reconciles_total", [], help: "Reconcile passes that published a snapshot.").increment()
        histogram("sysdig_adapter_reconcile_duration_seconds", [], help: "Reconcile pass latency.").record(duration)
    }

    /// A watch (re)started; `relist` when it had to list again (first start or 410 Gone).
    /// `kind` is a mapping kind (`MappingKind`), else `other`.
    public func watchRestarted(kind: String, relist: Bool) {
        counter(
            relist ? "sysdig_adapter_watch_relists_total" : "sysdig_adapter_watch_restarts_total",
            [("kind", Self.bounded(kind, to: Self.watchKinds))],
            help: relist ? "Full lists of a mapping kind (start and 410 Gone)." : "Watch streams opened, by mapping kind."
        ).increment()
    }

    /// Whether this replica holds the leader lease (1) or not (0).
    public func setLeader(_ leading: Bool) {
        leader.withLock { $0 = leading }
    }

    /// Adds a source of gauge lines (already in the text format) read at each scrape.
    public func addCollector(_ collector: @escaping @Sendable () -> [String]) {
        collectors.withLock { $0.append(collector) }
    }

    /// The Prometheus text exposition.
    public func exposition() -> String {
        var text = registry.emitToString()
        if let leading = leader.withLock({ $0 }) {
            text += Self.line("sysdig_adapter_leader", [], leading ? 1 : 0) + "\n"
        }
        for collector in collectors.withLock({ $0 }) {
            for line in collector() { text += line + "\n" }
        }
        return text
    }

    /// `name{a="b"} value` with label values escaped as the text format requires.
    public static func line(_ name: String, _ labels: [(String, String)] = [], _ value: Double) -> String {
        let rendered = labels.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(escaped)\""
        }
        let number = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        return rendered.isEmpty ? "\(name) \(number)" : "\(name){\(rendered.joined(separator: ","))} \(number)"
    }

    private func counter(_ name: String, _ labels: [(String, String)], help: String) -> Counter {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { cache in
            if let existing = cache[key] { return existing }
            let made = registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
            cache[key] = made
            return made
        }
    }

    private func histogram(_ name: String, _ labels: [(String, String)], help: String) -> DurationHistogram {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        return histograms.withLock { cache in
            if let existing = cache[key] { return existing }
            let made = registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels,
                buckets: Self.latencyBuckets)
            cache[key] = made
            return made
        }
    }
}
