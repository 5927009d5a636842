import Foundation
import Testing

@Suite struct ExplainCommandTests {
    @Test func explainsAByNamePath() throws {
        let binary = try #require(AdapterBinary.path)
        let result = try runProcess(binary, [
            "explain", "--mappings", "crds/examples", "--cluster-name", "prod",
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kuard/kuard_rps",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Mapping:  SysdigMetricMapping default/kuard-rps (ready)"))
        #expect(result.stdout.contains(#""filter" : "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'default' and kubernetes.service.name = 'kuard'""#))
        #expect(result.stdout.contains("Request:  POST https://app.sysdigcloud.com/api/data"))
    }

    @Test func explainsASelectorPath() throws {
        let binary = try #require(AdapterBinary.path)
        let result = try runProcess(binary, [
            "explain", "--mappings", "crds/examples",
            "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/%2A/cpu_usage?labelSelector=app%3Dweb",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Mapping:  ClusterSysdigMetricMapping pod-cpu (ready)"))
        #expect(result.stdout.contains("Segments: one request returns a value per kubernetes.pod.name"))
        #expect(result.stdout.contains(#""filter" : "kubernetes.namespace.name = 'shop' and kubernetes.pod.label.app = 'web'""#))
        #expect(result.stdout.contains(#""to" : 999"#))
    }

    @Test func explainsWhyNothingAnswers() throws {
        let binary = try #require(AdapterBinary.path)
        let result = try runProcess(binary, [
            "explain", "--mappings", "crds/examples",
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/other/services/kuard/kuard_rps",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("404 NotFound: no ready mapping serves metric kuard_rps in namespace other"))
        #expect(result.stdout.contains("SysdigMetricMapping default/kuard-rps serves it only for namespace default"))
    }
}
