import Testing

@testable import MetricsServer

@Suite("KubeStatus")
struct KubeStatusTests {
    static let prefix = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","#

    @Test(arguments: [
        (KubeStatus.notFoundMetric(metric: "http_requests", groupResource: "pods"),
         #""message":"the server could not find the metric http_requests for pods","reason":"NotFound","code":404}"#),
        (KubeStatus.notFoundMetric(metric: "m", groupResource: "deployments.apps", name: "web"),
         #""message":"the server could not find the metric m for deployments.apps web","reason":"NotFound","code":404}"#),
        (KubeStatus.notFoundMetric(metric: "m", groupResource: "pods", name: "*", selector: "app=web"),
         #""message":"the server could not find the metric m for pods * with selector app=web","reason":"NotFound","code":404}"#),
        (KubeStatus.notFound(),
         #""message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}"#),
        (KubeStatus.badRequest("invalid request path"),
         #""message":"invalid request path","reason":"BadRequest","code":400}"#),
        (KubeStatus.unauthorized(),
         #""message":"Unauthorized","reason":"Unauthorized","code":401}"#),
        (KubeStatus.forbidden(
            message: #"pods.custom.metrics.k8s.io "*" is forbidden: User "alice" cannot get resource "pods/m" in API group "custom.metrics.k8s.io" in the namespace "shop""#,
            details: .init(name: "*", group: "custom.metrics.k8s.io", kind: "pods")),
         #""message":"pods.custom.metrics.k8s.io \"*\" is forbidden: User \"alice\" cannot get resource \"pods/m\" in API group \"custom.metrics.k8s.io\" in the namespace \"shop\"","reason":"Forbidden","details":{"name":"*","group":"custom.metrics.k8s.io","kind":"pods"},"code":403}"#),
        (KubeStatus.internalError("boom <x>"),
         #""message":"Internal error occurred: boom \u003cx\u003e","reason":"InternalError","details":{"causes":[{"message":"boom \u003cx\u003e"}]},"code":500}"#),
        (KubeStatus.serviceUnavailable("sysdig unavailable", retryAfterSeconds: 5),
         #""message":"sysdig unavailable","reason":"ServiceUnavailable","details":{"retryAfterSeconds":5},"code":503}"#),
        (KubeStatus.serviceUnavailable("down"),
         #""message":"down","reason":"ServiceUnavailable","code":503}"#),
        (KubeStatus.notAcceptable(),
         #""message":"only the following media types are accepted: application/json","reason":"NotAcceptable","code":406}"#),
        (KubeStatus.methodNotAllowed(),
         #""message":"the server does not allow this method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405}"#),
        (KubeStatus(code: 500, reason: "", message: "plain error"),
         #""message":"plain error","code":500}"#),
    ])
    func rendersLikeGo(status: KubeStatus, expectedTail: String) {
        #expect(status.jsonString == Self.prefix + expectedTail + "\n")
    }

    @Test func errorCarriesHTTPStatus() {
        #expect(KubeStatusError(.notFound()).status.code == 404)
        #expect(KubeStatusError(.serviceUnavailable("x", retryAfterSeconds: 3)).status.code == 503)
        #expect(KubeStatusError(.badRequest("bad")).description.contains("400 BadRequest: bad"))
    }

    @Test func causeFieldsInGoOrder() {
        let status = KubeStatus(
            code: 422, reason: "Invalid", message: "m",
            details: .init(name: "n", kind: "k", uid: "u", causes: [.init(reason: "R", message: "M", field: "f")])
        )
        #expect(status.jsonString.contains(#""details":{"name":"n","kind":"k","uid":"u","causes":[{"reason":"R","message":"M","field":"f"}]}"#))
    }
}
