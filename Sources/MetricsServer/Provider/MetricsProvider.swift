import Foundation
import Logging
import Shared

/// One value the API returns.
public struct MetricItem: Sendable, Hashable {
    /// The object described (nil for external metrics).
    public var object: DescribedObject?
    public var value: Double
    public var timestamp: Date
    public var windowSeconds: Int
    /// External metrics: the labels identifying the series.
    public var metricLabels: [String: String]

    /// The Kubernetes object a custom metric value describes.
    public struct DescribedObject: Sendable, Hashable {
        public var resource: KubeResource
        public var namespace: String?
        public var name: String
    }
}

/// A failure the HTTP layer turns into a Kubernetes Status.
public struct MetricsProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable { case notFound, badRequest, unavailable, internalError }
    public var code: Code
    /// Safe for clients: no token, no backend internals for 500s.
    public var message: String
    public var retryAfterSeconds: Int?
    public var description: String { message }
}

/// Answers metric queries: resolves the alias in the current snapshot, translates,
/// asks Sysdig through cache, coalescing and rate limit, and applies the no-data policy.
public final class MetricsProvider: Sendable {
    public struct Configuration: Sendable {
        /// Default cache TTL; a mapping's `cacheTTL` overrides it. Zero disables caching.
        public var cacheTTL: Duration = .seconds(10)
        public var sysdigTimeout: Duration = .seconds(10)
        public var clusterName: String?

        public init(cacheTTL: Duration = .seconds(10), sysdigTimeout: Duration = .seconds(10), clusterName: String? = nil) {
            self.cacheTTL = cacheTTL
            self.sysdigTimeout = sysdigTimeout
            self.clusterName = clusterName
        }
    }

    public let store: ConfigStore
    public let cache: QueryCache
    public let limiter: RateLimiter
    private let sysdig: any SysdigQuerying
    private let configuration: Configuration
    private let translator: QueryTranslator
    private let logger: Logger
    private let wallClock: @Sendable () -> Date
    /// Where query outcomes go for `status.lastQuery` (Kubernetes mode).
    public let health: QueryHealthRecorder?
    /// Self-metrics for Sysdig requests.
    public let metrics: AdapterMetrics?
    /// Kubernetes mode: the live pods, which Pods queries answer for.
    private let pods: (any PodListing)?

    public init(
        store: ConfigStore, sysdig: any SysdigQuerying, configuration: Configuration,
        cache: QueryCache = QueryCache(), limiter: RateLimiter = RateLimiter(qps: 20, burst: 40),
        logger: Logger, wallClock: @escaping @Sendable () -> Date = { Date() }, health: QueryHealthRecorder? = nil,
        metrics: AdapterMetrics? = nil, pods: (any PodListing)? = nil
    ) {
        self.pods = pods
        self.store = store
        self.sysdig = sysdig
        self.configuration = configuration
        self.cache = cache
        self.limiter = limiter
        self.translator = QueryTranslator(clusterName: configuration.clusterName)
        self.logger = logger
        self.wallClock = wallClock
        self.health = health
        self.metrics = metrics
    }

    /// Answers one query. Object queries return exactly one item.
    public func answer(_ query: MetricQuery) async throws(MetricsProviderError) -> [MetricItem] {
        let snapshot = store.snapshot
        guard let mapping = snapshot.resolve(alias: query.alias, namespace: query.namespace) else {
            throw notFound(query, reason: nil)
        }
        let livePods = try livePods(for: query)
        let plans: [SysdigQueryPlan]
        do throws(TranslationError) {
            if let livePods {
                plans = try translator.plans(for: query, mapping: mapping, objects: livePods)
            } else {
                plans = [try translator.plan(for: query, mapping: mapping)]
            }
        } catch {
            switch error.code {
            case .unsupportedSelector: throw MetricsProviderError(code: .badRequest, message: error.message)
            case .resourceNotCovered, .notExternal: throw notFound(query, reason: nil)
            case .invalidQuery:
                logger.error("PromQL template produced an invalid query", metadata: [
                    "mapping": "\(mapping.key)", "error": "\(error.message)",
                ])
                throw MetricsProviderError(code: .internalError, message: "the query for metric \(query.alias) could not be built; see the adapter's log")
            }
        }
        guard let plan = plans.first else { throw MetricsProviderError(code: .internalError, message: "no query was planned") }
        do {
            var samples: [SysdigQueryPlan.Sample] = []
            for part in plans { samples += try await run(part, mapping: mapping) }
            let found = try items(for: query, plan: plan, samples: samples, livePods: livePods)
            recordHealth(mapping, .ok, items: found, message: "\(found.count) value(s)")
            return found
        } catch {
            recordHealth(mapping, error.code == .notFound ? .noData : .failed, items: [], message: error.message)
            throw error
        }
    }

    private func run(_ plan: SysdigQueryPlan, mapping: CompiledMapping) async throws(MetricsProviderError) -> [SysdigQueryPlan.Sample] {
        let ttl = mapping.spec.cacheTTL?.duration ?? configuration.cacheTTL
        let guarded = GuardedSysdig(base: sysdig, cache: cache, limiter: limiter, ttl: ttl, metrics: metrics)
        do {
            return try await plan.execute(using: guarded, timeout: configuration.sysdigTimeout)
        } catch let error as SysdigError {
            // Clients get a stable message and a reference; the details (Sysdig's text,
            // scrubbed of the token by SysdigClient) go to the log under the same reference.
            let ref = Self.correlationID()
            logger.warning("Sysdig query failed", metadata: [
                "mapping": "\(mapping.key)", "ref": "\(ref)", "sysdig.code": "\(error.code)",
                "sysdig.status": "\(error.httpStatus.map(String.init) ?? "-")", "error": "\(error.message)",
            ])
            throw Self.status(for: error, ref: ref)
        } catch {
            let ref = Self.correlationID()
            logger.error("Sysdig query failed", metadata: [
                "mapping": "\(mapping.key)", "ref": "\(ref)", "error": "\(type(of: error))",
            ])
            throw MetricsProviderError(code: .internalError, message: "\(Self.internalMessage) (ref \(ref))")
        }
    }

    /// What clients read for a failed Sysdig query, one stable text per class. Never
    /// Sysdig's own words: those stay in the log, found by the `(ref …)` each answer ends with.
    static let unavailableMessage = "Sysdig is unavailable; try again later"
    static let rateLimitedMessage = "Sysdig is rate-limiting the adapter; try again later"
    static let budgetMessage = "the adapter's Sysdig request budget is exhausted; try again later"
    static let timeoutMessage = "Sysdig did not answer in time; try again later"
    static let internalMessage = "the Sysdig query failed; see the adapter's log"

    /// 503 for what may pass (throttling, outages, timeouts), 500 for configuration
    /// problems, both with `ref` appended; the details are logged under `ref`.
    static func status(for error: SysdigError, ref: String) -> MetricsProviderError {
        // Whole seconds, rounded up: a 0.4 s pause must not read as "retry now" (0 is omitted).
        let retry = error.retryAfter.map { wait in
            let (seconds, fraction) = wait.components
            return Int(seconds) + (fraction > 0 ? 1 : 0)
        }
        let suffix = " (ref \(ref))"
        switch error.code {
        case .rateLimited where error.httpStatus == nil:
            // Refused by our own limiter (--sysdig-qps/--sysdig-burst or a 429's pause), not by Sysdig.
            return .init(code: .unavailable, message: budgetMessage + suffix, retryAfterSeconds: retry ?? 1)
        case .rateLimited:
            return .init(code: .unavailable, message: rateLimitedMessage + suffix, retryAfterSeconds: retry ?? 10)
        case .unavailable:
            return .init(code: .unavailable, message: unavailableMessage + suffix, retryAfterSeconds: retry)
        case .timeout:
            return .init(code: .unavailable, message: timeoutMessage + suffix, retryAfterSeconds: retry)
        default:
            return .init(code: .internalError, message: internalMessage + suffix)
        }
    }

    /// A random 8-hex-digit reference tying one error answer to its log line.
    static func correlationID() -> String {
        let hex = String(UInt32.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Kubernetes mode, Pods queries: the pods that exist now and match the selector
    /// (nil for every other query, and in files mode, which answers for whatever pods
    /// Sysdig reports).
    private func livePods(for query: MetricQuery) throws(MetricsProviderError) -> [String]? {
        guard let pods, case .selector(let resource, let namespace?, let selector) = query.target,
            resource.groupResource == "pods"
        else { return nil }
        guard let names = pods.podNames(namespace: namespace, selector: selector) else {
            throw MetricsProviderError(code: .unavailable, message: "the adapter has not listed the cluster's pods yet; try again shortly")
        }
        guard !names.isEmpty else {
            throw notFound(query, reason: "no pod in namespace \(namespace) matches the selector")
        }
        return names
    }

    private func items(
        for query: MetricQuery, plan: SysdigQueryPlan, samples: [SysdigQueryPlan.Sample], livePods: [String]?
    ) throws(MetricsProviderError) -> [MetricItem] {
        let now = wallClock()
        func item(_ value: Double, _ sample: SysdigQueryPlan.Sample?, object: MetricItem.DescribedObject?, labels: [String: String] = [:]) -> MetricItem {
            let time = sample?.timestamp.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? now
            return MetricItem(object: object, value: value, timestamp: time, windowSeconds: plan.windowSeconds, metricLabels: labels)
        }
        let noDataReason = "Sysdig returned no data for it in the last \(plan.windowSeconds)s"
        switch query.target {
        case .object(let resource, let namespace, let name):
            let object = MetricItem.DescribedObject(resource: resource, namespace: resource.namespaced ? namespace : nil, name: name)
            if samples.count > 1 { throw severalSeries(samples.count, for: "\(resource.groupResource) \(name)") }
            if let sample = samples.first { return [item(sample.value, sample, object: object)] }
            guard case .value(let fallback) = plan.noData else { throw notFound(query, reason: noDataReason) }
            return [item(fallback, nil, object: object)]
        case .selector(let resource, let namespace, _):
            var seen: [String: Int] = [:]
            for sample in samples { if let name = sample.object { seen[name, default: 0] += 1 } }
            if let (name, count) = seen.filter({ $0.value > 1 }).min(by: { $0.key < $1.key }) {
                throw severalSeries(count, for: "\(resource.groupResource) \(name)")
            }
            let describe = { (name: String) in MetricItem.DescribedObject(resource: resource, namespace: namespace, name: name) }
            guard let livePods else {
                let found = samples.compactMap { sample in sample.object.map { item(sample.value, sample, object: describe($0)) } }
                guard !found.isEmpty else { throw notFound(query, reason: noDataReason) }
                return found
            }
            // Exactly the pods that exist now: Sysdig's answer may still name pods that
            // were replaced during the window, and the HPA averages every item it gets.
            var byPod: [String: SysdigQueryPlan.Sample] = [:]
            for sample in samples { if let name = sample.object { byPod[name] = sample } }
            var found: [MetricItem] = []
            for name in livePods {
                if let sample = byPod[name] {
                    found.append(item(sample.value, sample, object: describe(name)))
                } else if case .value(let fallback) = plan.noData {
                    found.append(item(fallback, nil, object: describe(name)))
                }
            }
            guard !found.isEmpty else { throw notFound(query, reason: noDataReason) }
            return found
        case .external:
            // The external metrics API allows many values per metric (the HPA sums them):
            // every series is an item, its labels as metricLabels, as prometheus-adapter does.
            let requested = query.metricSelector.requirements.reduce(into: [String: String]()) { labels, requirement in
                if requirement.op == .equals, let value = requirement.values.first { labels[requirement.key] = value }
            }
            if !samples.isEmpty {
                return samples.map { item($0.value, $0, object: nil, labels: $0.labels.isEmpty ? requested : $0.labels) }
            }
            guard case .value(let fallback) = plan.noData else { throw notFound(query, reason: noDataReason) }
            return [item(fallback, nil, object: nil, labels: requested)]
        }
    }

    /// A query that must give one value per object gave several: never a silent pick.
    private func severalSeries(_ count: Int, for object: String) -> MetricsProviderError {
        MetricsProviderError(
            code: .internalError,
            message: "the query returned \(count) series for \(object), where one value per object is needed: aggregate them in the mapping's PromQL query, e.g. sum by (<<.GroupBy>>) (...)")
    }

    private func recordHealth(
        _ mapping: CompiledMapping, _ outcome: QueryHealthRecorder.Record.Outcome, items: [MetricItem], message: String
    ) {
        guard let health else { return }
        let value = items.count == 1 ? items.first.flatMap { Quantity.format($0.value) } : nil
        health.record(mapping.key, .init(time: wallClock(), outcome: outcome, value: value, message: message))
    }

    /// The Go library's NotFound messages (docs/metrics-api.md, "Errors"), with our reason appended.
    func notFound(_ query: MetricQuery, reason: String?) -> MetricsProviderError {
        var message: String
        switch query.target {
        case .object(let resource, _, let name):
            message = "the server could not find the metric \(query.alias) for \(resource.groupResource) \(name)"
        case .selector(let resource, _, let selector):
            message = "the server could not find the metric \(query.alias) for \(resource.groupResource)"
            if !selector.isEmpty { message += " * with selector \(selector)" }
        case .external:
            message = "the server could not find the metric \(query.alias) for external metrics"
        }
        if let reason { message += ": \(reason)" }
        return MetricsProviderError(code: .notFound, message: message)
    }
}
