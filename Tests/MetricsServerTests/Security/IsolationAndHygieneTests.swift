import Foundation
import Shared
import Testing

@testable import MetricsServer
import SysdigSimulator
import TestSupport

/// Namespace isolation at the HTTP level, and no secret in any log line or answer of a
/// failure-heavy run.
@Suite("Namespace isolation and secret hygiene")
struct IsolationAndHygieneTests {
    static func mapping(_ kind: MappingKind, _ name: String, namespace: String?, alias: String, metric: String, external: Bool = false) -> MetricMapping {
        MetricMapping(
            kind: kind, metadata: ObjectMeta(name: name, namespace: namespace),
            spec: MappingSpec(
                metricName: alias, sysdig: SysdigBackendSpec(metric: metric),
                objects: [ObjectTarget(resource: "services")], external: external))
    }

    static func requestedMetrics(_ simulator: SysdigSimulator) -> [String] {
        simulator.requests.compactMap { request in
            (request.jsonBody?["metrics"] as? [[String: Any]])?.compactMap { $0["id"] as? String }.last
        }
    }

    @Test func aNamespacedMappingNeverAnswersOrShadowsAnotherNamespace() async throws {
        var options = SecureAdapter.Options()
        options.authenticate = false
        options.authorize = false
        options.mappings = [
            Self.mapping(.cluster, "default-rate", namespace: nil, alias: "http_rate", metric: "net.http.request.count"),
            Self.mapping(.namespaced, "shop-rate", namespace: "shop", alias: "http_rate", metric: "cpu.used.percent", external: true),
            Self.mapping(.namespaced, "shop-only", namespace: "shop", alias: "shop_only", metric: "cpu.used.percent", external: true),
        ]
        try await SecureAdapter.with(options) { adapter in
            // shop's own alias is not served in default, by name, by selector or as an external metric.
            for path in [
                "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/shop_only",
                "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/*/shop_only?labelSelector=app%3Dkuard",
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/shop_only",
            ] {
                let status = try await adapter.request(path).status
                #expect(status == 404, "\(path)")
            }
            #expect(adapter.simulator.requests.isEmpty)
            // The shared alias: default gets the cluster mapping, shop its own.
            let inDefault = try await adapter.request("/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/http_rate")
            #expect(inDefault.status == 200, "\(inDefault.body)")
            let inShop = try await adapter.request("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/services/web/http_rate")
            #expect(inShop.status == 200, "\(inShop.body)")
            #expect(Self.requestedMetrics(adapter.simulator) == ["net.http.request.count", "cpu.used.percent"])
            // And shop's query is scoped to shop.
            let filter = adapter.simulator.requests.last?.jsonBody?["filter"] as? String ?? ""
            #expect(filter.contains("kubernetes.namespace.name = 'shop'"))
        }
    }

    @Test func noSecretInAnyLogLineOrAnswer() async throws {
        let bearer = "bearer-secret-5b1d0c44-aaaa-4bbb-8ccc-0123456789ab"
        let good = "bearer-good-9e8d7c6b-1111-4222-8333-444455556666"
        try await SecureAdapter.with() { adapter in
            adapter.kube.setTokenReviewHandler { token in
                token == good ? KubeAPITestServer.authenticatedStatus(username: "hpa") : .object(["error": .string("invalid token")])
            }
            adapter.kube.setSubjectAccessReviewHandler { spec in
                .object(["allowed": .bool(spec["nonResourceAttributes"] == nil), "reason": .string("policy")])
            }
            var bodies: [String] = []
            let metric = "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/services/web/cpu_usage"
            for fault: SysdigSimulator.Fault in [
                .status(401, body: #"{"message":"Bad token"}"#), .status(500), .garbageBody, .truncatedBody,
                .status(400, body: #"{"errors":[{"reason":"Bad filter"}]}"#), .closeConnection,
            ] {
                adapter.simulator.inject(fault)
                bodies.append(try await adapter.request(metric, token: good).body)
            }
            adapter.simulator.clearFaults()
            for path in [metric, "/apis", "/apis/custom.metrics.k8s.io/v1beta1", "/nope", "/openapi/v2"] {
                bodies.append(try await adapter.request(path, token: bearer).body)
                bodies.append(try await adapter.request(path, headers: [("Authorization", "bEaReR \(bearer)")]).body)
                bodies.append(try await adapter.request(path, headers: [("Authorization", "Basic \(bearer)")]).body)
                bodies.append(try await adapter.request(path, token: good).body)
            }
            // Kubernetes itself failing: the token review and access review errors are logged, without the token.
            adapter.kube.injectFaults(count: 40, status: 500, pathContains: "reviews")
            bodies.append(try await adapter.request(metric, token: bearer + "-other").body)
            let logs = adapter.logs.all
            #expect(!logs.isEmpty)
            for secret in [SecureAdapter.sysdigToken, bearer, good] {
                #expect(!logs.contains { $0.contains(secret) }, "a log line holds \(secret.prefix(12))…")
                #expect(!bodies.contains { $0.contains(secret) }, "an answer holds \(secret.prefix(12))…")
            }
        }
    }
}
