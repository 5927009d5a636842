import Foundation
import Testing

@testable import Shared
@testable import SysdigSimulator

/// The simulator's own PromQL parser and evaluator.
@Suite struct SimulatedPromQLTests {
    static let accepted: [String] = [
        "sysdig_container_cpu_used_percent",
        #"sysdig_container_cpu_used_percent{kube_namespace_name="shop",}"#,
        #"sum by (kube_pod_name) (avg_over_time(sysdig_container_cpu_used_percent{kube_namespace_name="shop"}[1m]))"#,
        #"max(rate(sysdig_container_net_http_request_count{kube_pod_name=~"web-.*"}[30s])) by (kube_pod_name)"#,
        #"avg without (kube_pod_name) (sum_over_time(m{a!~"x"}[1h]))"#,
        "sum by () (m{})",
        #"{kube_pod_name="a"}"#,
        "sum(m) * 100",
        "42",
    ]

    @Test(arguments: accepted)
    func accepts(_ query: String) throws {
        _ = try SimulatedPromQL(query)
    }

    static let refused: [(String, String)] = [
        ("sum(m", "expected \")\", got end of query"),
        ("m{a=b}", "expected a string after a="),
        ("rate(m)", "expected \"[\", got \")\""),
        ("histogram_quantile(0.9, m)", "function histogram_quantile is not supported by the simulator"),
        ("m[5m]", "unexpected \"[\" after the expression"),
        ("{}", "empty selector"),
        ("m + n", "unexpected character U+2B"),
        (#"m{a="x"#, "unterminated string"),
        ("rate(m[5q])", "bad duration 5q"),
    ]

    @Test(arguments: refused)
    func refuses(_ query: String, _ message: String) {
        do {
            _ = try SimulatedPromQL(query)
            Issue.record("accepted \(query)")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func demoWorldHasPrometheusNames() {
        let world = SysdigSimulator.demo(clusterName: "prod")
        let pod = world.entities.first { $0["kubernetes.pod.name"] == "web-5d8f6-abc12" } ?? [:]
        #expect(world.prometheusLabels(pod) == [
            "kube_cluster_name": "prod", "kube_namespace_name": "shop", "kube_workload_name": "web",
            "kube_workload_type": "deployment", "kube_pod_name": "web-5d8f6-abc12", "kube_pod_label_app": "web",
            "kube_node_name": "node-2", "kube_service_name": "web",
        ])
        #expect(world.metric(prometheusName: "sysdig_container_cpu_used_percent")?.id == "cpu.used.percent")
    }

    @Test func evaluatesGroupedQueries() throws {
        let world = SysdigSimulator.demo()
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let query = try SimulatedPromQL(
            #"sum by (kube_pod_name) (avg_over_time(sysdig_container_cpu_used_percent{kube_namespace_name="shop",kube_workload_name="web"}[1m]))"#)
        let data = SimulatedPromQLEvaluator(world: world, now: now).answer(query)
        #expect(data["resultType"] as? String == "vector")
        let result = data["result"] as? [[String: Any]] ?? []
        let pods = result.compactMap { ($0["metric"] as? [String: String])?["kube_pod_name"] }
        #expect(pods == ["web-5d8f6-abc12", "web-5d8f6-def34", "web-5d8f6-ghi56", "web-5d8f6-jkl78"])
        let expected = SimulatedDataEvaluator.timeAggregate("avg", from: 1_699_999_940, to: 1_700_000_000) { at in
            world.metric("cpu.used.percent")?.value(world.entities.first { $0["kubernetes.pod.name"] == "web-5d8f6-abc12" } ?? [:], at)
        }
        let first = (result.first?["value"] as? [Any])?.last as? String
        #expect(first.flatMap(Double.init) == expected)
    }
}
