import Foundation
import Shared
import Testing

@testable import MetricsServer
import TestSupport

/// SubjectAccessReview attributes, decisions, 403 bodies and the decision cache.
@Suite("Delegated authorization")
struct DelegatedAuthorizationTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var method = "GET"
        var path: String
        var query: [String: String] = [:]
        var expected: RequestAttributes
        var testDescription: String { "\(method) \(path)" }
    }

    static let custom = "custom.metrics.k8s.io"

    static func resource(
        _ verb: String, _ group: String, _ version: String, _ resource: String, subresource: String = "",
        name: String = "", namespace: String = ""
    ) -> RequestAttributes {
        .resource(.init(verb: verb, group: group, version: version, resource: resource, subresource: subresource, name: name, namespace: namespace))
    }

    static let rows: [Row] = [
        Row(path: "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/m",
            expected: resource("get", custom, "v1beta1", "pods", subresource: "m", name: "*", namespace: "shop")),
        Row(path: "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/%2A/m",
            expected: resource("get", custom, "v1beta1", "pods", subresource: "m", name: "*", namespace: "shop")),
        Row(path: "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/m",
            expected: resource("get", custom, "v1beta2", "deployments.apps", subresource: "m", name: "web", namespace: "shop")),
        Row(path: "/apis/custom.metrics.k8s.io/v1beta1/nodes/n1/m",
            expected: resource("get", custom, "v1beta1", "nodes", subresource: "m", name: "n1")),
        Row(path: "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/metrics/m",
            expected: resource("get", custom, "v1beta1", "metrics", name: "m", namespace: "shop")),
        Row(path: "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/q", query: ["labelSelector": "a=b"],
            expected: resource("list", "external.metrics.k8s.io", "v1beta1", "q", namespace: "shop")),
        Row(path: "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/q", query: ["watch": "true"],
            expected: resource("watch", "external.metrics.k8s.io", "v1beta1", "q", namespace: "shop")),
        Row(method: "POST", path: "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/a/m",
            expected: resource("create", custom, "v1beta1", "pods", subresource: "m", name: "a", namespace: "shop")),
        Row(path: "/apis/custom.metrics.k8s.io/v1beta1", expected: .nonResource(path: "/apis/custom.metrics.k8s.io/v1beta1", verb: "get")),
        Row(path: "/apis/custom.metrics.k8s.io", expected: .nonResource(path: "/apis/custom.metrics.k8s.io", verb: "get")),
        Row(path: "/apis", expected: .nonResource(path: "/apis", verb: "get")),
        Row(path: "/openapi/v2", expected: .nonResource(path: "/openapi/v2", verb: "get")),
        Row(path: "/metrics", expected: .nonResource(path: "/metrics", verb: "get")),
        Row(method: "HEAD", path: "/readyz/ping", expected: .nonResource(path: "/readyz/ping", verb: "head")),
    ]

    @Test(arguments: rows)
    func attributesMatchTheRequestInfoFactory(_ row: Row) {
        #expect(RequestAttributes(method: row.method, path: row.path, query: row.query) == row.expected)
    }

    @Test func forbiddenBodiesAreWordedAsKubernetesWordsThem() throws {
        let attributes = Self.resource("get", Self.custom, "v1beta1", "pods", subresource: "m", name: "*", namespace: "shop")
        let body = attributes.forbidden(username: "alice", reason: "").goJSON.rendered(pretty: false)
        #expect(body == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods.custom.metrics.k8s.io \"*\" is forbidden: User \"alice\" cannot get resource \"pods/m\" in API group \"custom.metrics.k8s.io\" in the namespace \"shop\"","reason":"Forbidden","details":{"name":"*","group":"custom.metrics.k8s.io","kind":"pods"},"code":403}"# + "\n")
        let external = Self.resource("list", "external.metrics.k8s.io", "v1beta1", "q", namespace: "shop")
        #expect(external.forbidden(username: "bob", reason: "no RBAC rule").message
            == #"q.external.metrics.k8s.io is forbidden: User "bob" cannot list resource "q" in API group "external.metrics.k8s.io" in the namespace "shop": no RBAC rule"#)
        let node = Self.resource("get", Self.custom, "v1beta1", "nodes", subresource: "m", name: "n1")
        #expect(node.forbidden(username: "bob", reason: "").message
            == #"nodes.custom.metrics.k8s.io "n1" is forbidden: User "bob" cannot get resource "nodes/m" in API group "custom.metrics.k8s.io" at the cluster scope"#)
        let path = RequestAttributes.nonResource(path: "/openapi/v2", verb: "get").forbidden(username: "system:anonymous", reason: "")
        #expect(path.message == #"forbidden: User "system:anonymous" cannot get path "/openapi/v2""#)
        #expect(path.details == KubeStatus.Details())
    }

    @Test func decisionsGiveStatusBodiesAndAreCached() async throws {
        try await SecureAdapter.with() { adapter in
            adapter.kube.setTokenReviewHandler { token in KubeAPITestServer.authenticatedStatus(username: token) }
            adapter.kube.setSubjectAccessReviewHandler { spec in
                spec["user"] == .string("alice")
                    ? .object(["allowed": .bool(true)])
                    : .object(["allowed": .bool(false), "denied": .bool(true), "reason": .string("no RBAC rule")])
            }
            let path = "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/services/web/cpu_usage"
            #expect(try await adapter.request(path, token: "alice").status == 200)
            let denied = try await adapter.request(path, token: "mallory")
            #expect(denied.status == 403)
            #expect(denied.body == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"services.custom.metrics.k8s.io \"web\" is forbidden: User \"mallory\" cannot get resource \"services/cpu_usage\" in API group \"custom.metrics.k8s.io\" in the namespace \"shop\": no RBAC rule","reason":"Forbidden","details":{"name":"web","group":"custom.metrics.k8s.io","kind":"services"},"code":403}"# + "\n")
            #expect(adapter.kube.subjectAccessReviews.count == 2)
            let sysdigRequests = adapter.simulator.requests.count

            // Identical requests are answered from the cache: no new review, and a denial never reaches Sysdig.
            #expect(try await adapter.request(path, token: "alice").status == 200)
            #expect(try await adapter.request(path, token: "mallory").status == 403)
            #expect(adapter.kube.subjectAccessReviews.count == 2)
            #expect(adapter.simulator.requests.count == sysdigRequests + 1)

            // Denials live 5 s, approvals 10 s.
            adapter.time.advance(.seconds(6))
            #expect(try await adapter.request(path, token: "mallory").status == 403)
            #expect(try await adapter.request(path, token: "alice").status == 200)
            #expect(adapter.kube.subjectAccessReviews.count == 3)
        }
    }

    @Test func healthMastersAndNonResourcePaths() async throws {
        let frontCA = try TestCA(name: "front-proxy-ca")
        let proxy = try frontCA.issue(commonName: "front-proxy-client")
        try await SecureAdapter.with(.init(settings: AuthenticationSettings(requestHeaderCAs: [frontCA.certificate]))) { adapter in
            // Kubelet probes: anonymous, no review.
            for path in ["/healthz", "/livez", "/readyz"] {
                #expect(try await adapter.request(path).status == 200)
            }
            #expect(adapter.kube.subjectAccessReviews.isEmpty)
            // Subpaths are reviewed as non-resource paths.
            let sub = try await adapter.request("/readyz/config-loaded")
            #expect(sub.status == 403)
            #expect(adapter.kube.subjectAccessReviews.last?["nonResourceAttributes"]
                == .object(["path": .string("/readyz/config-loaded"), "verb": .string("get")]))
            // The aggregator's availability probe: system:masters skips review.
            let probe = try await adapter.request(
                "/apis/custom.metrics.k8s.io/v1beta1", headers: [("X-Remote-User", "system:kube-aggregator"), ("X-Remote-Group", "system:masters")],
                identity: proxy)
            #expect(probe.status == 200)
            #expect(adapter.kube.subjectAccessReviews.count == 1)
            // OpenAPI: reviewed, then 404 (the aggregator skips it).
            adapter.allowAll()
            let openapi = try await adapter.request("/openapi/v2", headers: [("X-Remote-User", "system:aggregator")], identity: proxy)
            #expect(openapi.status == 404)
            #expect(openapi.json?["kind"] == .string("Status"))
            #expect(adapter.kube.subjectAccessReviews.last?["groups"] == .array([.string("system:authenticated")]))
            #expect(try await adapter.request("/openapi/v3", headers: [("X-Remote-User", "system:aggregator")], identity: proxy).status == 404)
        }
    }

    @Test func reviewFailuresAnswer500WithoutDetail() async throws {
        try await SecureAdapter.with() { adapter in
            adapter.kube.setSubjectAccessReviewHandler { _ in .object(["allowed": .bool(true), "denied": .bool(true)]) }
            let reply = try await adapter.request("/apis/custom.metrics.k8s.io/v1beta1")
            #expect(reply.status == 500)
            #expect(reply.json?["message"] == .string("Internal error occurred: authorization check failed"))
        }
    }
}
