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
            #expect(api.filters == ["kubernetes.cluster.name = 'prod' and rabbitmq.queue.name = 'orders'"])
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
            #expect(api.filters.last == "kubernetes.cluster.name = 'prod' and rabbitmq.queue.name in ('orders', 'payments')")
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
