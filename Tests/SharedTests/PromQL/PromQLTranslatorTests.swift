import Foundation
import Testing

@testable import Shared
@testable import SysdigSimulator
@testable import TestSupport

private func promMapping(
    kind: MappingKind = .namespaced, namespace: String? = "shop",
    query: String = "sum by (<<.GroupBy>>) (avg_over_time(sysdig_container_cpu_used_percent{<<.LabelMatchers>>}[<<.Window>>]))",
    resources: [ObjectTarget] = ["pods", "services", "deployments.apps", "statefulsets.apps", "nodes", "namespaces"]
        .map { ObjectTarget(resource: $0) },
    external: Bool = false, window: Int = 60, multiplier: Double? = nil
) throws -> CompiledMapping {
    let spec = MappingSpec(
        metricName: "cpu", backend: .promql(PromQLBackendSpec(query: query)), objects: resources, external: external,
        window: KubeDuration(seconds: window), multiplier: multiplier)
    return try CompiledMapping.compile(MetricMapping(kind: kind, metadata: ObjectMeta(name: "m", namespace: namespace), spec: spec)).get()
}

private func resource(_ name: String) -> KubeResource {
    KubeResource.lookup(name)!  // test fixture: known names only
}

private func selector(_ text: String) -> LabelSelector {
    try! LabelSelector.parse(text)  // test fixture: valid selectors only
}

@Suite struct PromQLTranslatorTests {
    static let avg = "avg_over_time(sysdig_container_cpu_used_percent"

    /// (name, cluster, query, expected PromQL)
    static let cases: [(String, String?, MetricQuery, String)] = [
        ("pod by name", nil,
         MetricQuery(alias: "cpu", target: .object(resource: resource("pods"), namespace: "shop", name: "web-1")),
         #"sum by (kube_pod_name) (\#(avg){kube_namespace_name="shop",kube_pod_name="web-1"}[1m]))"#),
        ("deployment by name with cluster", "prod",
         MetricQuery(alias: "cpu", target: .object(resource: resource("deployments"), namespace: "shop", name: "web")),
         #"sum by (kube_workload_name) (\#(avg){kube_cluster_name="prod",kube_namespace_name="shop",kube_workload_type="deployment",kube_workload_name="web"}[1m]))"#),
        ("statefulset", nil,
         MetricQuery(alias: "cpu", target: .object(resource: resource("statefulsets.apps"), namespace: "shop", name: "db")),
         #"sum by (kube_workload_name) (\#(avg){kube_namespace_name="shop",kube_workload_type="statefulset",kube_workload_name="db"}[1m]))"#),
        ("service", nil,
         MetricQuery(alias: "cpu", target: .object(resource: resource("services"), namespace: "shop", name: "web")),
         #"sum by (kube_service_name) (\#(avg){kube_namespace_name="shop",kube_service_name="web"}[1m]))"#),
        ("node", nil,
         MetricQuery(alias: "cpu", target: .object(resource: resource("nodes"), namespace: nil, name: "node-1")),
         // A namespaced mapping reads its own namespace only, even for a cluster-scoped resource.
         #"sum by (kube_node_name) (\#(avg){kube_node_name="node-1",kube_namespace_name="shop"}[1m]))"#),
        ("namespace metric", "prod",
         MetricQuery(alias: "cpu", target: .object(resource: resource("namespaces"), namespace: nil, name: "shop")),
         #"sum by (kube_namespace_name) (\#(avg){kube_cluster_name="prod",kube_namespace_name="shop"}[1m]))"#),
        ("pods by selector", nil,
         MetricQuery(alias: "cpu", target: .selector(resource: resource("pods"), namespace: "shop",
                                                     selector: selector("app=web,tier in (a.b,c),track!=canary,env notin (dev),gpu,!spot"))),
         #"sum by (kube_pod_name) (\#(avg){kube_namespace_name="shop",kube_pod_label_app="web",kube_pod_label_env!~"dev",kube_pod_label_gpu!="",kube_pod_label_spot="",kube_pod_label_tier=~"a\\.b|c",kube_pod_label_track!="canary"}[1m]))"#),
        ("selector with a dotted key", nil,
         MetricQuery(alias: "cpu", target: .selector(resource: resource("pods"), namespace: "shop",
                                                     selector: selector("app.kubernetes.io/name=web"))),
         #"sum by (kube_pod_name) (\#(avg){kube_namespace_name="shop",kube_pod_label_app_kubernetes_io_name="web"}[1m]))"#),
        ("all pods", "prod",
         MetricQuery(alias: "cpu", target: .selector(resource: resource("pods"), namespace: "shop", selector: LabelSelector())),
         #"sum by (kube_pod_name) (\#(avg){kube_cluster_name="prod",kube_namespace_name="shop"}[1m]))"#),
        ("metric label selector", nil,
         MetricQuery(alias: "cpu", target: .object(resource: resource("pods"), namespace: "shop", name: "web-1"),
                     metricSelector: selector("container_name!=istio-proxy")),
         #"sum by (kube_pod_name) (\#(avg){kube_namespace_name="shop",kube_pod_name="web-1",container_name!="istio-proxy"}[1m]))"#),
        ("hostile name stays a literal", nil,
         MetricQuery(alias: "cpu", target: .object(resource: resource("pods"), namespace: "shop", name: "x\"} or vector(1) #")),
         #"sum by (kube_pod_name) (\#(avg){kube_namespace_name="shop",kube_pod_name="x\"} or vector(1) #"}[1m]))"#),
    ]

    @Test(arguments: cases)
    func translates(name: String, cluster: String?, query: MetricQuery, expected: String) throws {
        let plan = try QueryTranslator(clusterName: cluster).plan(for: query, mapping: try promMapping())
        #expect(plan.promQLRequest?.query == expected, "\(name)")
        #expect(plan.request == nil)
        if case .selector = query.target { #expect(plan.segmentLabel == "kube_pod_name") } else { #expect(plan.segmentLabel == nil) }
    }

    /// Sysdig has no `kube_workload_label_*`: a workload's labels are per kind.
    @Test(arguments: [("deployments.apps", "deployment"), ("statefulsets.apps", "statefulset")])
    func workloadSelectorsUseThePerKindLabel(resourceName: String, kind: String) throws {
        let query = MetricQuery(
            alias: "cpu", target: .selector(resource: resource(resourceName), namespace: "shop", selector: selector("app=web")))
        let plan = try QueryTranslator(clusterName: nil).plan(for: query, mapping: try promMapping())
        let text = try #require(plan.promQLRequest?.query)
        #expect(text.contains(#"kube_workload_type="\#(kind)",kube_\#(kind)_label_app="web""#), "\(text)")
        #expect(!text.contains("kube_workload_label"))
        #expect(plan.segmentLabel == "kube_workload_name")
    }

    @Test func externalQueries() throws {
        let template = "sum(rabbitmq_queue_messages{<<.LabelMatchers>>})"
        let query = MetricQuery(alias: "cpu", target: .external(namespace: "shop"), metricSelector: selector("rabbitmq_queue_name=orders"))
        let local = try QueryTranslator().plan(for: query, mapping: try promMapping(query: template, external: true))
        #expect(local.promQLRequest?.query == #"sum(rabbitmq_queue_messages{kube_namespace_name="shop",rabbitmq_queue_name="orders"})"#)
        let cluster = try promMapping(kind: .cluster, namespace: nil, query: template, external: true)
        let bare = try QueryTranslator().plan(for: MetricQuery(alias: "cpu", target: .external(namespace: "shop")), mapping: cluster)
        #expect(bare.promQLRequest?.query == #"sum(rabbitmq_queue_messages{kube_namespace_name="shop"})"#)
        let grouped = try QueryTranslator(clusterName: "prod").plan(
            for: query, mapping: try promMapping(kind: .cluster, namespace: nil, external: true))
        #expect(grouped.promQLRequest?.query == #"sum by () (\#(Self.avg){kube_cluster_name="prod",kube_namespace_name="shop",rabbitmq_queue_name="orders"}[1m]))"#)
    }

    @Test func windowAndLabelOverride() throws {
        let compiled = try promMapping(resources: [ObjectTarget(resource: "rollouts.argoproj.io", label: "kube_workload_name")], window: 300)
        let plan = try QueryTranslator().plan(
            for: MetricQuery(alias: "cpu", target: .object(resource: resource("rollouts.argoproj.io"), namespace: "shop", name: "web")),
            mapping: compiled)
        #expect(plan.promQLRequest?.query == #"sum by (kube_workload_name) (\#(Self.avg){kube_namespace_name="shop",kube_workload_name="web"}[5m]))"#)
    }

    @Test func refusesWhatPromQLCannotExpress() throws {
        let compiled = try promMapping()
        for (text, key) in [("replicas>3", "selector"), ("bad-key=x", "metric")] {
            let query = key == "selector"
                ? MetricQuery(alias: "cpu", target: .selector(resource: resource("pods"), namespace: "shop", selector: selector(text)))
                : MetricQuery(alias: "cpu", target: .object(resource: resource("pods"), namespace: "shop", name: "a"), metricSelector: selector(text))
            do {
                _ = try QueryTranslator().plan(for: query, mapping: compiled)
                Issue.record("expected unsupportedSelector for \(text)")
            } catch {
                #expect(error.code == .unsupportedSelector)
            }
        }
    }

    /// Random names and selector values never break the query: it always parses and
    /// carries each value back unchanged.
    @Test func hostileValuesNeverChangeTheQueryStructure() throws {
        var rng = SplitMix64(seed: 0x7A11)
        let compiled = try promMapping()
        for _ in 0..<1000 {
            let name = rng.string(from: PromQLLiteralTests.pieces, maxPieces: 6)
            let plan = try QueryTranslator(clusterName: rng.string(from: PromQLLiteralTests.pieces, maxPieces: 3)).plan(
                for: MetricQuery(alias: "cpu", target: .object(resource: resource("pods"), namespace: "shop", name: name)),
                mapping: compiled)
            let text = try #require(plan.promQLRequest?.query)
            _ = try PromQLParser.parse(text)
            let simulated = try SimulatedPromQL(text)
            guard case .aggregate(_, let labels, _, .range(_, let selector, 60)) = simulated.expression else {
                Issue.record("structure changed: \(text)")
                continue
            }
            #expect(labels == ["kube_pod_name"])
            #expect(selector.matchers.last?.value == name)
            #expect(selector.matchers.map(\.label) == ["kube_cluster_name", "kube_namespace_name", "kube_pod_name"])
        }
    }

    @Test func readsSamples() throws {
        let plan = try QueryTranslator().plan(
            for: MetricQuery(alias: "cpu", target: .selector(resource: resource("pods"), namespace: "shop", selector: LabelSelector())),
            mapping: try promMapping(multiplier: 2))
        let response = PromQLResponse(resultType: "vector", samples: [
            .init(labels: ["kube_pod_name": "web-2"], value: 1.5, timestamp: 100.9),
            .init(labels: ["kube_pod_name": "web-1"], value: .nan, timestamp: 100),
            .init(labels: ["kube_pod_name": "web-3"], value: .infinity, timestamp: 100),
            .init(labels: [:], value: 7, timestamp: 100),
            .init(labels: ["kube_pod_name": "web-4"], value: 0, timestamp: 100),
        ])
        #expect(plan.samples(from: response) == [
            .init(object: "web-2", value: 3, timestamp: 100, labels: ["kube_pod_name": "web-2"]),
            .init(object: "web-4", value: 0, timestamp: 100, labels: ["kube_pod_name": "web-4"]),
        ])
    }

    /// Found by the `prometheus` fuzz target: a sample time beyond Int's range trapped in `Int(_:)`.
    @Test(arguments: [1e300, -1e300, 0x1p63, .infinity, .nan] as [Double])
    func outOfRangeSampleTimeIsNoTime(time: Double) throws {
        let plan = try QueryTranslator().plan(
            for: MetricQuery(alias: "cpu", target: .selector(resource: resource("pods"), namespace: "shop", selector: LabelSelector())),
            mapping: try promMapping(multiplier: 2))
        let body = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"kube_pod_name":"web-1"},"value":[TIME,"12.5"]}]}}"#
        let json = body.replacingOccurrences(of: "TIME", with: time.isFinite ? "\(time)" : "1")
        var response = try PromQLResponse.decode(Data(json.utf8)).get()
        response.samples[0].timestamp = time
        #expect(plan.samples(from: response) == [.init(object: "web-1", value: 25, timestamp: nil, labels: ["kube_pod_name": "web-1"])])
    }
}
