import Foundation
import Shared
import Testing

@testable import MetricsServer

/// `explain` prints the exact PromQL query and URL for PromQL mappings.
@Suite struct PromQLExplainTests {
    @Test func explainsAPodsQuery() throws {
        let snapshot = ConfigSnapshot.build(version: 1, mappings: PromQLEndToEndTests.mappings().map { ($0, nil) })
        let report = ExplainReport.make(
            apiPath: "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/cpu_usage?labelSelector=app%3Dweb",
            snapshot: snapshot, translator: QueryTranslator(clusterName: "prod"), sysdigURL: "https://eu1.app.sysdig.com/")
        let query = #"sum by (kube_pod_name) (avg_over_time(sysdig_container_cpu_used_percent{kube_cluster_name="prod",kube_namespace_name="shop",kube_pod_label_app="web"}[1m]))"#
        #expect(report.plan?.promQLRequest?.query == query)
        #expect(report.lines == [
            "Query:    custom.metrics.k8s.io/v1beta2 metric cpu_usage for pods in namespace shop selected by \"app=web\"",
            "Mapping:  ClusterSysdigMetricMapping cpu (ready)",
            "Window:   60s; no data: error (the HPA keeps its replica count); multiplier: none",
            "Segments: one request returns a series per kube_pod_name",
            "PromQL:   \(query)",
            "Request:  GET https://eu1.app.sysdig.com/prometheus/api/v1/query?query=\(PromQLRequest.percentEncode(query))",
            "          (the client appends &time=<evaluation time, Unix seconds> when it sends it)",
        ])
    }
}
