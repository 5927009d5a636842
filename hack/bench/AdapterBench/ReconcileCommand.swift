import ArgumentParser
import Foundation
import Shared
import SysdigSimulator
import TestSupport

/// `reconcile`: Kubernetes mode at scale. N mappings in the test API server; start →
/// ready (initial list applied); then E watch events (create / alias change), each
/// timed from the write until the new alias is served. Each alias's path is asked once
/// before its event, so the SubjectAccessReview for a new path (cached afterwards) is
/// reported separately and not counted as reconcile latency.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Initial sync and watch event → served latency in Kubernetes mode.")

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Mappings seeded before the adapter starts (a third cluster-scoped, the rest namespaced).")
    var mappings = 10

    @Option(help: "Watch events to time (alternately a new mapping and an alias change).")
    var events = 200

    struct Result: Codable {
        var benchmark = "reconcile"
        var mappings: Int
        var events: Int
        var readySeconds: Double
        var rssReadyMiB: Double?
        var rssAfterMiB: Double?
        var eventToServedMs: LatencySummary
        /// One request for each alias before its event (answered 404): authorizing a path not
        /// seen before (a SubjectAccessReview, then cached), kept out of `eventToServedMs`.
        var newPathFirstRequestMs: LatencySummary
        var eventsNotServed: Int
        var adapterReconcileDuration: PrometheusHistogram?
        /// Mapping list pages fetched before ready (page size 500; each waits for the client's QPS limit).
        var mappingListRequestsUntilReady: Int
        /// Status writes (PATCH …/status) the leader sent, all told.
        var statusWrites: Int
        var adapterExitStatus: Int32
    }

    /// Per-event bound: longer means the event was lost.
    static let eventLimit = Duration.seconds(30)

    func run() async throws {
        let directory = try BenchFixtures.temporaryDirectory("bench-reconcile")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (token, tokenFile) = try BenchFixtures.writeToken(in: directory)
        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo(clusterName: "demo"))
        let kube = KubeAPITestServer()
        kube.setSubjectAccessReviewHandler { _ in .object(["allowed": .bool(true)]) }
        for index in 0..<mappings {
            if index % 3 == 0 {
                try kube.seed(.clusterSysdigMetricMappings, object: BenchFixtures.mapping("c-\(index)", namespace: nil, alias: "alias_\(index)"))
            } else {
                let namespace = "ns-\(index % 20)"
                try kube.seed(.sysdigMetricMappings, namespace: namespace,
                              object: BenchFixtures.mapping("m-\(index)", namespace: namespace, alias: "alias_\(index)"))
            }
        }
        progress("seeded \(mappings) mappings")
        let result = try await simulator.withRunning { sysdigPort in
            try await kube.withRunning { kubePort in
                let kubeconfig = try KubeTestFixtures.writeKubeconfig(in: directory, port: kubePort)
                let adapter = try AdapterProcess(adapter: try common.adapterPath(), [
                    "serve", "--config-source", "kubernetes", "--kubeconfig", kubeconfig,
                    "--sysdig-url", "http://127.0.0.1:\(sysdigPort)", "--sysdig-token-file", tokenFile,
                    "--cluster-name", "demo", "--log-format", "text",
                ])
                do {
                    return try await measure(adapter: adapter, kube: kube)
                } catch {
                    adapter.kill()
                    throw error
                }
            }
        }
        try emit(result)
    }

    private func measure(adapter: AdapterProcess, kube: KubeAPITestServer) async throws -> Result {
        guard let port = await adapter.servingPort() else {
            throw BenchFailure("the adapter exited before serving: \(adapter.stderrTail)")
        }
        return try await BenchHTTP.with(port: port, connections: 2) { http in
            try await measure(adapter: adapter, kube: kube, http: http)
        }
    }

    private func measure(adapter: AdapterProcess, kube: KubeAPITestServer, http: BenchHTTP) async throws -> Result {
        guard let ready = await http.waitReady(adapter) else {
            throw BenchFailure("the adapter did not become ready: \(adapter.stderrTail)")
        }
        let readySeconds = (ready - adapter.started).milliseconds / 1000
        let rssReady = adapter.rssMiB
        let listRequests = kube.requests.count { $0.method == "GET" && $0.path.contains("metricmappings") && $0.query["watch"] == nil }
        progress(String(format: "ready after %.2f s, RSS %.1f MiB", readySeconds, rssReady ?? 0))

        var latencies: [Double] = []
        var firstPolls: [Double] = []
        var lost = 0
        for event in 0..<events {
            let alias = "ev_\(event)"
            let path = Self.path(alias)
            let warm = ContinuousClock.now
            _ = try await http.get(path, keepBody: false, timeout: .seconds(10))
            firstPolls.append((ContinuousClock.now - warm).milliseconds)
            let written = ContinuousClock.now
            if event.isMultiple(of: 2) {
                try kube.seed(.sysdigMetricMappings, namespace: "default",
                              object: BenchFixtures.mapping("ev-\(event)", namespace: "default", alias: alias))
            } else {
                try kube.patch(.sysdigMetricMappings, namespace: "default", name: "ev-\(event - 1)",
                               patch: .object(["spec": .object(["metricName": .string(alias)])]))
            }
            if let served = try await pollUntilServed(http, path: path, since: written) {
                latencies.append((served - written).milliseconds)
            } else {
                lost += 1
            }
            if adapter.exitStatus != nil { throw BenchFailure("the adapter exited: \(adapter.stderrTail)") }
        }
        let summary = LatencySummary(latencies)
        progress(String(format: "%d events: p50 %.2f ms, p99 %.2f ms, max %.2f ms", events, summary.p50, summary.p99, summary.max))
        let metricsText = (try? await http.get("/metrics"))?.body ?? ""
        let rssAfter = adapter.rssMiB
        // Idle keep-alive connections would hold the adapter's graceful shutdown for seconds.
        await http.shutdown()
        let stopping = ContinuousClock.now
        let status = await adapter.terminate()
        if ProcessInfo.processInfo.environment["BENCH_SHOW_ADAPTER_LOG"] != nil { progress(adapter.stderrTail) }
        progress(String(format: "adapter exited with status %d after SIGTERM in %.2f s", status, (ContinuousClock.now - stopping).milliseconds / 1000))
        return Result(
            mappings: mappings, events: events, readySeconds: readySeconds, rssReadyMiB: rssReady, rssAfterMiB: rssAfter,
            eventToServedMs: summary, newPathFirstRequestMs: LatencySummary(firstPolls), eventsNotServed: lost,
            adapterReconcileDuration: PrometheusHistogram(name: "sysdig_adapter_reconcile_duration_seconds", in: metricsText),
            mappingListRequestsUntilReady: listRequests,
            statusWrites: kube.requests.count { $0.method == "PATCH" && $0.path.hasSuffix("/status") },
            adapterExitStatus: status)
    }

    /// The by-name query the events are timed with.
    static func path(_ alias: String) -> String {
        "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/\(alias)"
    }

    /// Real requests back to back (keep-alive, no sleeps) until `path` answers 200;
    /// nil when not within `eventLimit`.
    private func pollUntilServed(_ http: BenchHTTP, path: String, since: ContinuousClock.Instant) async throws -> ContinuousClock.Instant? {
        while ContinuousClock.now - since < Self.eventLimit {
            let answer = try await http.get(path, keepBody: false, timeout: .seconds(10))
            if answer.status == 200 { return .now }
        }
        return nil
    }
}
