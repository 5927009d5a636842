import Hummingbird
import HummingbirdTesting
import Testing

@testable import MetricsServer

@Suite("KubeJSONResponse")
struct KubeJSONResponseTests {
    static let body = APIGroup(name: "g", versions: ["v1"])

    static func makeApp() -> some ApplicationProtocol {
        let router = Router()
        router.get("group") { request, _ in try KubeJSONResponse.make(Self.body, for: request) }
        router.get("missing") { _, _ -> Response in throw KubeStatusError(.notFound()) }
        router.get("busy") { _, _ -> Response in throw KubeStatusError(.serviceUnavailable("busy", retryAfterSeconds: 7)) }
        return Application(router: router)
    }

    @Test(arguments: [
        ("", true), ("application/json", true), ("application/json, */*", true), ("application/*", true),
        ("*/*", true), ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", true),
        ("application/vnd.kubernetes.protobuf", false), ("text/html", false), ("application/yaml", false),
        (" Application/JSON ; q=0.9", true),
    ])
    func acceptRule(header: String, acceptable: Bool) {
        #expect(KubeJSONResponse.acceptsJSON(acceptHeader: header) == acceptable)
    }

    @Test(arguments: [
        ("/group", "kube-controller-manager/v1.30", false),
        ("/group", "", false),
        ("/group?pretty=true", "", true),
        ("/group?pretty=1", "", true),
        ("/group?pretty=yes", "curl/8.5", false),
        ("/group?pretty=false", "curl/8.5", false),
        ("/group?pretty=", "curl/8.5", true),
        ("/group", "curl/8.5", true),
        ("/group", "Wget/1.21", true),
        ("/group", "Mozilla/5.0 (X11)", true),
    ])
    func prettyOutput(uri: String, userAgent: String, pretty: Bool) async throws {
        let headers: HTTPFields = userAgent.isEmpty ? [:] : [.userAgent: userAgent]
        try await Self.makeApp().test(.router) { client in
            try await client.execute(uri: uri, method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == Self.body.goJSON.rendered(pretty: pretty))
            }
        }
    }

    @Test func notAcceptableIsStatus406() async throws {
        try await Self.makeApp().test(.router) { client in
            try await client.execute(uri: "/group", method: .get, headers: [.accept: "application/vnd.kubernetes.protobuf"]) { response in
                #expect(response.status.code == 406)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == KubeStatus.notAcceptable().jsonString)
            }
        }
    }

    @Test func thrownStatusRendersWithHeaders() async throws {
        try await Self.makeApp().test(.router) { client in
            try await client.execute(uri: "/missing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.headers[.retryAfter] == nil)
                #expect(String(buffer: response.body) == KubeStatus.notFound().jsonString)
            }
            try await client.execute(uri: "/busy?pretty=true", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == nil)  // client-go would sleep and retry
                #expect(String(buffer: response.body) == KubeStatus.serviceUnavailable("busy", retryAfterSeconds: 7).goJSON.prettyString)
            }
        }
    }
}
