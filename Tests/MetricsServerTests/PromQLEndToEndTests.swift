import AsyncHTTPClient
import Foundation
import Logging
import Shared
import Testing

@testable import MetricsServer
import SysdigSimulator

/// Object, Pods and External metrics answered through the PromQL backend: the real
/// `AdapterServer` over HTTPS, the real `SysdigClient`, and the simulator's
/// Prometheus API with its own parser.
@Suite("PromQL backend end to end")
struct PromQLEndToEndTests {
    static let token = "5e6f7a8b-0000-4111-8222-933344445555"
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let cpuQuery = "sum by (<<.GroupBy>>) (avg_over_time(sysdig_container_cpu_used_percent{<<.LabelMatchers>>}[<<.Window>>]))"

    static func mappings() -> [MetricMapping] {
        [
            MetricMapping(
                kind: .cluster, metadata: ObjectMeta(name: "cpu"),
                spec: MappingSpec(
                    metricName: "cpu_usage", backend: .promql(PromQLBackendSpec(query: cpuQuery)),
                    objects: [ObjectTarget(resource: "pods"), ObjectTarget(resource: "deployments.apps")])),
            MetricMapping(
                kind: .namespaced, metadata: ObjectMeta(name: "queue", namespace: "shop"),
                spec: MappingSpec(
                    metricName: "queue_messages",
                    backend: .promql(PromQLBackendSpec(query: "sum(rabbitmq_queue_messages{<<.LabelMatchers>>})")),
                    objects: [], external: true, window: KubeDuration(seconds: 30))),
            // No aggregation: one series per pod, and per queue.
            MetricMapping(
                kind: .cluster, metadata: ObjectMeta(name: "cpu-raw"),
                spec: MappingSpec(
                    metricName: "cpu_raw",
                    backend: .promql(PromQLBackendSpec(query: "avg_over_time(sysdig_container_cpu_used_percent{<<.LabelMatchers>>}[<<.Window>>])")),
                    objects: [ObjectTarget(resource: "pods"), ObjectTarget(resource: "deployments.apps")])),
            MetricMapping(
                kind: .namespaced, metadata: ObjectMeta(name: "queues", namespace: "shop"),
                spec: MappingSpec(
                    metricName: "queue_messages_each",
                    backend: .promql(PromQLBackendSpec(query: "rabbitmq_queue_messages{<<.LabelMatchers>>}")),
                    objects: [], external: true, window: KubeDuration(seconds: 30))),
        ]
    }

    struct Context {
        var simulator: SysdigSimulator
        var client: SysdigClient
        var port: Int
        var caPEM: String

        func get(_ path: String) async throws -> (status: Int, json: [String: Any]) {
            let reply = try await LiveServer.get("https://127.0.0.1:\(port)\(path)", trusting: caPEM)
            let json = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [String: Any] ?? [:]
            return (reply.status, json)
        }

        /// The value the simulator gives for `query`, formatted as the API formats it.
        func expected(_ query: String) async throws -> [String: String] {
            let response = try await client.queryPromQL(PromQLRequest(query: query), timeout: .seconds(10))
            var values: [String: String] = [:]
            for sample in response.samples {
                let key = sample.labels["kube_pod_name"] ?? sample.labels["kube_workload_name"] ?? ""
                values[key] = Quantity.format(sample.value)
            }
            return values
        }
    }

    func withAdapter(_ body: @Sendable (Context) async throws -> Void) async throws {
        let logger = Logger(label: "promql-e2e", factory: { _ in SwiftLogNoOpLogHandler() })
        let simulator = SysdigSimulator(token: Self.token, world: SysdigSimulator.demo(clusterName: "prod"), clock: { Self.now })
        try await simulator.withRunning { sysdigPort in
            let client = SysdigClient(
                baseURL: "http://127.0.0.1:\(sysdigPort)", token: StaticSysdigToken(Self.token), httpClient: .shared,
                logger: logger, now: { Self.now })
            let store = ConfigStore()
            store.publish(ConfigSnapshot.build(version: 1, mappings: Self.mappings().map { ($0, nil) }))
            var options = AdapterServerOptions()
            options.bindAddress = "127.0.0.1"
            options.port = 0
            options.provider = MetricsProvider.Configuration(clusterName: "prod")
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let server = try AdapterServer(
                store: store, sysdig: client, options: options, logger: logger,
                onServerRunning: { port in continuation.yield(port) })
            let caPEM = try #require(server.certificates.current.caCertificatePEM)
            try await LiveServer.serve(server.application, ports: ports, logger: logger) { port in
                try await body(Context(simulator: simulator, client: client, port: port, caPEM: caPEM))
            }
        }
    }

    static func items(_ json: [String: Any]) -> [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }

    static func recordedQueries(_ simulator: SysdigSimulator) -> [String] {
        simulator.requests.filter { $0.path == "/prometheus/api/v1/query" }.compactMap { request in
            request.query.flatMap { query in
                query.split(separator: "&").first { $0.hasPrefix("query=") }
                    .flatMap { String($0.dropFirst("query=".count)).removingPercentEncoding }
            }
        }
    }

    @Test func objectMetric() async throws {
        try await withAdapter { context in
            let query = #"sum by (kube_workload_name) (avg_over_time(sysdig_container_cpu_used_percent{kube_cluster_name="prod",kube_namespace_name="shop",kube_workload_type="deployment",kube_workload_name="web"}[1m]))"#
            let (status, json) = try await context.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/cpu_usage")
            #expect(status == 200)
            let items = Self.items(json)
            #expect(items.count == 1)
            #expect((items.first?["describedObject"] as? [String: Any])?["kind"] as? String == "Deployment")
            #expect((items.first?["describedObject"] as? [String: Any])?["name"] as? String == "web")
            #expect(items.first?["value"] as? String == (try await context.expected(query))["web"])
            #expect(Self.recordedQueries(context.simulator).first == query)

            // A second identical question is answered from the cache.
            let again = try await context.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/cpu_usage")
            #expect(Self.items(again.json).first?["value"] as? String == items.first?["value"] as? String)
            #expect(Self.recordedQueries(context.simulator).filter { $0 == query }.count == 2)  // one from expected(_:)
        }
    }

    @Test func podsMetricBySelector() async throws {
        try await withAdapter { context in
            let query = #"sum by (kube_pod_name) (avg_over_time(sysdig_container_cpu_used_percent{kube_cluster_name="prod",kube_namespace_name="shop",kube_pod_label_app="web"}[1m]))"#
            let (status, json) = try await context.get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/%2A/cpu_usage?labelSelector=app%3Dweb")
            #expect(status == 200)
            let expected = try await context.expected(query)
            var got: [String: String] = [:]
            for item in Self.items(json) {
                let name = (item["describedObject"] as? [String: Any])?["name"] as? String ?? ""
                got[name] = item["value"] as? String
            }
            #expect(got.count == 4)
            #expect(got == expected)
            #expect(Self.recordedQueries(context.simulator).first == query)

            let none = try await context.get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/%2A/cpu_usage?labelSelector=app%3Dnothing")
            #expect(none.status == 404)
            #expect((none.json["message"] as? String)?.contains("Sysdig returned no data") == true)
        }
    }

    @Test func externalMetric() async throws {
        try await withAdapter { context in
            let query = #"sum(rabbitmq_queue_messages{kube_cluster_name="prod",kube_namespace_name="shop",rabbitmq_queue_name="orders"})"#
            let (status, json) = try await context.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages?labelSelector=rabbitmq_queue_name%3Dorders")
            #expect(status == 200)
            let items = Self.items(json)
            #expect(items.count == 1)
            #expect(items.first?["metricLabels"] as? [String: String] == ["rabbitmq_queue_name": "orders"])
            #expect(items.first?["window"] as? Int == 30)
            #expect(items.first?["value"] as? String == (try await context.expected(query))[""])
            #expect(Self.recordedQueries(context.simulator).first == query)

            let bad = try await context.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages?labelSelector=rabbitmq.queue.name%3Dorders")
            #expect(bad.status == 400)
        }
    }

    /// Issue 12e: the external metrics API allows many values per metric (the HPA sums
    /// them), so every series is an item with its labels, never just the first.
    @Test func externalMetricReturnsEverySeriesWithItsLabels() async throws {
        try await withAdapter { context in
            let (status, json) = try await context.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages_each")
            #expect(status == 200)
            let items = Self.items(json)
            let queues = items.compactMap { ($0["metricLabels"] as? [String: String])?["rabbitmq_queue_name"] }
            #expect(Set(queues) == ["orders", "payments", "emails"])
            #expect(items.count == 3)
            #expect(items.allSatisfy { ($0["metricLabels"] as? [String: String])?["kube_namespace_name"] == "shop" })
            let query = #"rabbitmq_queue_messages{kube_cluster_name="prod",kube_namespace_name="shop"}"#
            let response = try await context.client.queryPromQL(PromQLRequest(query: query), timeout: .seconds(10))
            let expected = Dictionary(uniqueKeysWithValues: response.samples.map {
                ($0.labels["rabbitmq_queue_name"] ?? "", Quantity.format($0.value))
            })
            for item in items {
                let queue = (item["metricLabels"] as? [String: String])?["rabbitmq_queue_name"] ?? ""
                #expect(item["value"] as? String == expected[queue], "\(queue)")
            }
        }
    }

    /// Issue 12e: several series for one object is an error that says how many and how
    /// to aggregate, never a silent pick of the first.
    @Test func severalSeriesForOneObjectIsAClearError() async throws {
        try await withAdapter { context in
            let (status, json) = try await context.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/cpu_raw")
            #expect(status == 500)
            let message = json["message"] as? String ?? ""
            #expect(message.contains("returned 4 series for deployments.apps web"), "\(message)")
            #expect(message.contains("sum by (<<.GroupBy>>)"), "\(message)")
            // One series per pod is fine.
            let pods = try await context.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/cpu_raw?labelSelector=app%3Dweb")
            #expect(pods.status == 200)
            #expect(Self.items(pods.json).count == 4)
        }
    }
}
