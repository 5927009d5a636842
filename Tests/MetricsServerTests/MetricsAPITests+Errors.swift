import Foundation
import Shared
import Testing

@testable import MetricsServer

/// Every Status error the metrics endpoints answer, over the real server.
@Suite("Metrics API errors")
struct MetricsAPIErrorTests {
    static let v1 = "/apis/custom.metrics.k8s.io/v1beta1"
    static let v2 = "/apis/custom.metrics.k8s.io/v1beta2"

    static func status(_ code: Int, _ reason: String, _ message: String, details: String? = nil) -> String {
        let detailsField = details.map { #""details":\#($0),"# } ?? ""
        return #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)",\#(detailsField)"code":\#(code)}"#
            + "\n"
    }

    @Test(arguments: [v1, v2])
    func unknownAliasIsNotFoundInGoWording(base: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let byName = try await api.get(base + "/namespaces/shop/pods/web-1/nope")
            #expect(byName.status == 404)
            #expect(byName.body == Self.status(404, "NotFound", "the server could not find the metric nope for pods web-1"))
            let bySelector = try await api.get(base + "/namespaces/shop/pods/*/nope?labelSelector=app%3Dweb")
            #expect(bySelector.body == Self.status(
                404, "NotFound", "the server could not find the metric nope for pods * with selector app=web"))
            #expect(api.dataRequests.isEmpty)
        }
    }

    @Test func resourceNotCoveredByTheAlias() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(Self.v2 + "/namespaces/shop/services/web/quiet_error")
            #expect(reply.body == Self.status(404, "NotFound", "the server could not find the metric quiet_error for services web"))
            #expect(api.dataRequests.isEmpty)
        }
    }

    @Test func noDataPolicies() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let error = try await api.get(Self.v1 + "/namespaces/shop/pods/web-1/quiet_error")
            #expect(error.body == Self.status(
                404, "NotFound",
                "the server could not find the metric quiet_error for pods web-1: Sysdig returned no data for it in the last 60s"))
            let value = try await api.get(Self.v1 + "/namespaces/shop/pods/web-1/quiet_value")
            #expect(value.status == 200)
            #expect(value.items.first?["value"] as? String == "1500m")
            let selector = try await api.get(Self.v2 + "/namespaces/shop/pods/*/quiet_error?labelSelector=app%3Dweb")
            #expect(selector.status == 404)
            // quiet_error and quiet_value ask Sysdig the same question for web-1: one cached answer.
            #expect(api.dataRequests.count == 2)
        }
    }

    @Test(arguments: [
        "labelSelector=app%3D%3D%3Dweb",
        "labelSelector=app",
        "labelSelector=%21app",
        "labelSelector=replicas%3E3",
    ])
    func badOrUnsupportedSelectorIsBadRequest(query: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(Self.v2 + "/namespaces/shop/pods/*/http_requests?" + query)
            #expect(reply.status == 400)
            #expect(reply.json?["reason"] as? String == "BadRequest")
            #expect(reply.json?["code"] as? Int == 400)
            #expect(api.dataRequests.isEmpty)
        }
    }

    @Test func badMetricLabelSelectorIsBadRequest() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(Self.v1 + "/namespaces/shop/pods/web-1/http_requests?metricLabelSelector=a%20in%20(")
            #expect(reply.status == 400)
            #expect((reply.json?["message"] as? String)?.hasPrefix("invalid metricLabelSelector") == true)
            #expect(reply.json?["reason"] as? String == "BadRequest")
        }
    }

    @Test(arguments: [
        v1 + "/namespaces/shop/pods/web-1",
        v2 + "/namespaces/shop/pods",
        v1 + "/namespaces/shop/http_requests",
        v1 + "/namespaces/shop/nodes/node-1/http_requests",
        v1 + "/namespaces/shop/pods/web-1/http_requests/extra",
        "/apis/custom.metrics.k8s.io/v1beta3",
        "/apis/custom.metrics.k8s.io/v1beta3/namespaces/shop/pods/web-1/http_requests",
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/group/queue_messages",
        "/apis/external.metrics.k8s.io/v1beta1/queue_messages",
        "/apis/nothing.example.com",
    ])
    func badPathsAreNotFound(path: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(path)
            #expect(reply.status == 404, "\(path): \(reply.body)")
            #expect(reply.json?["kind"] as? String == "Status")
            #expect(api.dataRequests.isEmpty)
        }
    }

    /// Paths outside `/apis` that no route serves answer the API server's Status, not an empty 404.
    @Test(arguments: ["/foo", "/apis-not", "/metrics/extra", "/readyz/nothing/deeper", "/"])
    func unknownPathsOutsideAPIsAreStatusNotFound(path: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get(path)
            #expect(reply.status == 404, "\(path): \(reply.body)")
            #expect(reply.body == Self.status(404, "NotFound", "the server could not find the requested resource", details: "{}"), "\(path)")
            #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true)
        }
    }

    @Test func writesAreMethodNotAllowed() async throws {
        try await MetricsAPIHarness.run { api async throws in
            for method in ["POST", "PUT", "DELETE", "PATCH"] {
                let reply = try await api.get(Self.v1 + "/namespaces/shop/pods/web-1/http_requests", method: method)
                #expect(reply.status == 405, "\(method): \(reply.body)")
                #expect(reply.body == Self.status(
                    405, "MethodNotAllowed", "the server does not allow this method on the requested resource", details: "{}"))
            }
            #expect(api.dataRequests.isEmpty)
        }
    }

    @Test func htmlIsNotAcceptable() async throws {
        try await MetricsAPIHarness.run { api async throws in
            for path in ["/apis", Self.v1, Self.v2 + "/namespaces/shop/pods/web-1/http_requests"] {
                let reply = try await api.get(path, accept: "text/html")
                #expect(reply.status == 406)
                #expect(reply.body == Self.status(406, "NotAcceptable", "only the following media types are accepted: application/json"))
            }
            #expect(try await api.get("/apis", accept: "application/json, */*").status == 200)
            #expect(try await api.get("/apis", accept: nil).status == 200)
            #expect(api.dataRequests.isEmpty)
        }
    }
}
