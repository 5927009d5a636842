import Foundation
import Testing

@testable import MetricsServer

/// custom.metrics.k8s.io, both versions, every path shape, byte-exact where clients care.
@Suite("Metrics API custom metrics")
struct MetricsAPICustomTests {
    static let timestamp = "2024-05-01T12:00:05Z"

    /// One item as the Go server writes it for `version`.
    static func item(
        _ version: String, kind: String = "Pod", namespace: String? = "shop", name: String,
        apiVersion: String = "/v1", metric: String = "http_requests", value: String, window: Int = 60,
        selector: String = "null"
    ) -> String {
        let namespaceField = namespace.map { #""namespace":"\#($0)","# } ?? ""
        let object = #"{"kind":"\#(kind)",\#(namespaceField)"name":"\#(name)","apiVersion":"\#(apiVersion)"}"#
        if version == "v1beta1" {
            return #"{"describedObject":\#(object),"metricName":"\#(metric)","timestamp":"\#(timestamp)","window":\#(window),"value":"\#(value)","selector":\#(selector)}"#
        }
        return #"{"describedObject":\#(object),"metric":{"name":"\#(metric)","selector":\#(selector)},"timestamp":"\#(timestamp)","windowSeconds":\#(window),"value":"\#(value)"}"#
    }

    static func list(_ version: String, _ items: [String]) -> String {
        #"{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/\#(version)","metadata":{},"items":["#
            + items.joined(separator: ",") + "]}\n"
    }

    static func base(_ version: String) -> String { "/apis/custom.metrics.k8s.io/\(version)" }

    @Test(arguments: ["v1beta1", "v1beta2"])
    func namespacedObjectByName(version: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get("\(Self.base(version))/namespaces/shop/pods/web-1/http_requests")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.body == Self.list(version, [Self.item(version, name: "web-1", value: "105750m")]))
            #expect(api.filters == [
                "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.pod.name = 'web-1'",
            ])
            let body = try #require(api.dataRequests.first?.jsonBody)
            #expect(body["paging"] == nil)
            #expect(body["last"] as? Int == 60)
        }
    }

    @Test(arguments: ["v1beta1", "v1beta2"])
    func deploymentsAreNamedWithTheirGroup(version: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get("\(Self.base(version))/namespaces/shop/deployments.apps/web/http_requests")
            #expect(reply.body == Self.list(version, [
                Self.item(version, kind: "Deployment", name: "web", apiVersion: "apps/v1", value: "107250m"),
            ]))
            let service = try await api.get("\(Self.base(version))/namespaces/shop/services/web/http_requests")
            #expect(service.body == Self.list(version, [
                Self.item(version, kind: "Service", name: "web", value: "107250m"),
            ]))
        }
    }

    @Test(arguments: ["v1beta1", "v1beta2"], ["*", "%2A"])
    func namespacedObjectsBySelector(version: String, star: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(
                "\(Self.base(version))/namespaces/shop/pods/\(star)/http_requests?labelSelector=app%3Dweb")
            #expect(reply.status == 200)
            #expect(reply.body == Self.list(version, [
                Self.item(version, name: "web-1", value: "105750m"),
                Self.item(version, name: "web-2", value: "1500m"),
            ]))
            let requests = api.dataRequests
            #expect(requests.count == 1)
            let body = try #require(requests.first?.jsonBody)
            #expect(body["filter"] as? String
                == "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.pod.label.app = 'web'")
            let metrics = body["metrics"] as? [[String: Any]] ?? []
            #expect(metrics.first?["id"] as? String == "kubernetes.pod.name")
            #expect((body["paging"] as? [String: Int]) == ["from": 0, "to": 999])
        }
    }

    @Test(arguments: ["v1beta1", "v1beta2"])
    func namespaceMetric(version: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get("\(Self.base(version))/namespaces/shop/metrics/http_requests")
            #expect(reply.body == Self.list(version, [
                Self.item(version, kind: "Namespace", namespace: nil, name: "shop", value: "109250m"),
            ]))
            #expect(api.filters == ["kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop'"])
        }
    }

    @Test(arguments: ["v1beta1", "v1beta2"])
    func rootScopedNodes(version: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let byName = try await api.get("\(Self.base(version))/nodes/node-1/http_requests")
            #expect(byName.body == Self.list(version, [
                Self.item(version, kind: "Node", namespace: nil, name: "node-1", value: "107750m"),
            ]))
            let bySelector = try await api.get("\(Self.base(version))/nodes/*/http_requests?labelSelector=pool%3Dgreen")
            #expect(bySelector.body == Self.list(version, [
                Self.item(version, kind: "Node", namespace: nil, name: "node-2", value: "1750m"),
            ]))
            let all = try await api.get("\(Self.base(version))/nodes/*/http_requests")
            #expect(all.items.compactMap { ($0["describedObject"] as? [String: Any])?["name"] as? String } == ["node-1", "node-2"])
            #expect(api.filters == [
                "kubernetes.cluster.name = 'prod' and kubernetes.node.name = 'node-1'",
                "kubernetes.cluster.name = 'prod' and kubernetes.node.label.pool = 'green'",
                "kubernetes.cluster.name = 'prod'",
            ])
            #expect(api.dataRequests.allSatisfy { $0.jsonBody?["dataSourceType"] as? String == "host" })
        }
    }

    @Test(arguments: ["v1beta1", "v1beta2"])
    func metricLabelSelectorNarrowsTheSysdigFilter(version: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(
                "\(Self.base(version))/namespaces/shop/deployments.apps/web/http_requests"
                    + "?metricLabelSelector=kubernetes.pod.label.tier%3Dfront")
            #expect(reply.body == Self.list(version, [
                Self.item(
                    version, kind: "Deployment", name: "web", apiVersion: "apps/v1", value: "105750m",
                    selector: #"{"matchLabels":{"kubernetes.pod.label.tier":"front"}}"#),
            ]))
            #expect(api.filters == [
                "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.deployment.name = 'web' and kubernetes.pod.label.tier = 'front'",
            ])
        }
    }

    @Test func objectQueriesReturnExactlyOneItem() async throws {
        try await MetricsAPIHarness.run { api async throws in
            // The deployment spans two pods (two Sysdig entities): still one item.
            for path in [
                "/namespaces/shop/deployments.apps/web/http_requests", "/namespaces/shop/services/web/http_requests",
                "/namespaces/shop/metrics/http_requests", "/nodes/node-2/http_requests",
                "/namespaces/shop/pods/nobody/quiet_value",
            ] {
                let reply = try await api.get(Self.base("v1beta2") + path)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.items.count == 1, "\(path)")
            }
        }
    }
}
