import Foundation
import Testing

@testable import MetricsServer

/// external.metrics.k8s.io/v1beta1.
@Suite("Metrics API external metrics")
struct MetricsAPIExternalTests {
    static let path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages"

    static func list(_ items: [String]) -> String {
        #"{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":["#
            + items.joined(separator: ",") + "]}\n"
    }

    @Test func labelSelectorBecomesScopeTermsAndMetricLabels() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(Self.path + "?labelSelector=rabbitmq.queue.name%3Dorders")
            #expect(reply.status == 200)
            #expect(reply.body == Self.list([
                #"{"metricName":"queue_messages","metricLabels":{"rabbitmq.queue.name":"orders"},"timestamp":"2024-05-01T12:00:05Z","window":30,"value":"12"}"#,
            ]))
            // Scoped to the caller's namespace (the mapping does not say externalScope: cluster).
            #expect(api.filters == ["kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and rabbitmq.queue.name = 'orders'"])
            let body = try #require(api.dataRequests.first?.jsonBody)
            #expect(body["last"] as? Int == 30)
            #expect(body["dataSourceType"] == nil)
        }
    }

    @Test func noSelectorSumsEverySeriesWithEmptyLabels() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(Self.path)
            #expect(reply.body == Self.list([
                #"{"metricName":"queue_messages","metricLabels":{},"timestamp":"2024-05-01T12:00:05Z","window":30,"value":"1212"}"#,
            ]))
            let inList = try await api.get(Self.path + "?labelSelector=rabbitmq.queue.name+in+%28orders%2Cpayments%29")
            #expect(inList.items.first?["value"] as? String == "1212")
            #expect(api.filters.last == "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and rabbitmq.queue.name in ('orders', 'payments')")
        }
    }

    @Test func customAliasIsNotExternal() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/http_requests")
            #expect(reply.status == 404)
            #expect(reply.json?["reason"] as? String == "NotFound")
            #expect(api.dataRequests.isEmpty)
        }
    }
}

/// Issue 13 §2b through HTTP: a caller's labelSelector cannot pick another namespace
/// or cluster; it is a 400, after which nothing is asked of Sysdig.
@Suite("Metrics API tenant isolation") struct MetricsAPITenantIsolationTests {
    @Test(arguments: ["kubernetes.namespace.name%3Dvictim", "kubernetes.cluster.name%3Dother"])
    func selectorsNamingNamespaceOrClusterAreRefused(selector: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages?labelSelector=\(selector)")
            #expect(reply.status == 400)
            #expect((reply.json?["message"] as? String)?.contains("is set by the adapter") == true, "\(reply.body)")
            #expect(api.dataRequests.isEmpty)
        }
    }
}
