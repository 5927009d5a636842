import Foundation
import Shared
import Testing

@testable import MetricsServer
import TestSupport

/// Front-proxy (request header), client-certificate and bearer-token authentication over
/// real TLS sockets, observed through the SubjectAccessReviews the adapter sends.
@Suite("Delegated authentication")
struct DelegatedAuthenticationTests {
    static let selectorPath = "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/%2A/cpu_usage?labelSelector=app%3Dweb"
    static let identityHeaders: [(String, String)] = [
        ("X-Remote-User", "alice"), ("X-Remote-Group", "dev"), ("X-Remote-Group", "ops"),
        ("X-Remote-Extra-Scopes", "read"), ("X-Remote-Extra-Acme.com%2Fproject", "p1"),
    ]

    static func frontProxySettings(_ ca: TestCA) -> AuthenticationSettings {
        AuthenticationSettings(requestHeaderCAs: [ca.certificate], allowedNames: ["front-proxy-client"])
    }

    @Test func frontProxyHeadersAuthenticateTheHeaderUser() async throws {
        let frontCA = try TestCA(name: "front-proxy-ca")
        let proxy = try frontCA.issue(commonName: "front-proxy-client")
        try await SecureAdapter.with(.init(settings: Self.frontProxySettings(frontCA))) { adapter in
            adapter.allowAll()
            let reply = try await adapter.request(Self.selectorPath, headers: Self.identityHeaders, identity: proxy)
            #expect(reply.status == 200, "\(reply.body)")
            let spec = try #require(adapter.kube.subjectAccessReviews.last)
            #expect(spec["user"] == .string("alice"))
            #expect(spec["groups"] == .array([.string("dev"), .string("ops"), .string("system:authenticated")]))
            #expect(spec["extra"] == .object([
                "scopes": .array([.string("read")]), "acme.com/project": .array([.string("p1")]),
            ]))
            #expect(spec["resourceAttributes"] == .object([
                "namespace": .string("shop"), "verb": .string("get"), "group": .string("custom.metrics.k8s.io"),
                "version": .string("v1beta1"), "resource": .string("pods"), "subresource": .string("cpu_usage"),
                "name": .string("*"),
            ]))
        }
    }

    enum UntrustedSender: String, CaseIterable, Sendable {
        case noCertificate, otherCA, disallowedName, serverAuthOnly
    }

    @Test(arguments: UntrustedSender.allCases)
    func identityHeadersFromAnyoneElseAreIgnored(_ sender: UntrustedSender) async throws {
        let frontCA = try TestCA(name: "front-proxy-ca")
        let identity: TestIdentity? = switch sender {
        case .noCertificate: nil
        case .otherCA: try TestCA(name: "evil-ca").issue(commonName: "front-proxy-client")
        case .disallowedName: try frontCA.issue(commonName: "someone-else")
        case .serverAuthOnly: try frontCA.issue(commonName: "front-proxy-client", usages: [.serverAuth])
        }
        try await SecureAdapter.with(.init(settings: Self.frontProxySettings(frontCA))) { adapter in
            adapter.kube.setSubjectAccessReviewHandler { spec in
                .object(["allowed": .bool(spec["user"] == .string("alice"))])
            }
            let reply = try await adapter.request(Self.selectorPath, headers: Self.identityHeaders, identity: identity)
            if sender == .noCertificate {
                // No credentials at all: anonymous, and anonymous may not read metrics.
                #expect(reply.status == 403, "\(reply.body)")
                #expect(reply.json?["message"]?.stringValue?.contains(#"User "system:anonymous""#) == true)
                #expect(adapter.kube.subjectAccessReviews.map { $0["user"] } == [.string("system:anonymous")])
            } else {
                #expect(reply.status == 401, "\(reply.body)")
                #expect(reply.body == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"# + "\n")
                #expect(adapter.kube.subjectAccessReviews.isEmpty)
            }
            #expect(adapter.simulator.requests.isEmpty)
        }
    }

    @Test func clientCertificatesAuthenticateAsCommonNameAndOrganizations() async throws {
        let clientCA = try TestCA(name: "client-ca")
        let bob = try clientCA.issue(commonName: "bob", organizations: ["team-a", "team-b"])
        try await SecureAdapter.with(.init(settings: AuthenticationSettings(clientCAs: [clientCA.certificate]))) { adapter in
            adapter.allowAll()
            // Identity headers from an ordinary client certificate are not trusted either.
            let reply = try await adapter.request(Self.selectorPath, headers: Self.identityHeaders, identity: bob)
            #expect(reply.status == 200, "\(reply.body)")
            let spec = try #require(adapter.kube.subjectAccessReviews.last)
            #expect(spec["user"] == .string("bob"))
            #expect(spec["groups"] == .array([.string("team-a"), .string("team-b"), .string("system:authenticated")]))
            #expect(spec["extra"] == nil)
        }
    }

    @Test func bearerTokensAreReviewedAndCached() async throws {
        try await SecureAdapter.with() { adapter in
            adapter.allowAll()
            adapter.kube.setTokenReviewHandler { token in
                token == "good-token"
                    ? KubeAPITestServer.authenticatedStatus(
                        username: "system:serviceaccount:kube-system:horizontal-pod-autoscaler", uid: "u-1",
                        groups: ["system:serviceaccounts"], extra: ["authentication.kubernetes.io/pod-name": ["hpa-0"]])
                    : .object(["authenticated": .bool(false), "error": .string("token expired")])
            }
            let path = "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/services/web/cpu_usage"
            #expect(try await adapter.request(path, token: "good-token").status == 200)
            #expect(try await adapter.request(path, token: "good-token").status == 200)
            #expect(adapter.kube.tokenReviews.count == 1)
            #expect(adapter.kube.tokenReviews.first?["token"] == .string("good-token"))
            let spec = try #require(adapter.kube.subjectAccessReviews.last)
            #expect(spec["user"] == .string("system:serviceaccount:kube-system:horizontal-pod-autoscaler"))
            #expect(spec["uid"] == .string("u-1"))
            #expect(spec["groups"] == .array([.string("system:serviceaccounts"), .string("system:authenticated")]))
            #expect(spec["extra"] == .object(["authentication.kubernetes.io/pod-name": .array([.string("hpa-0")])]))

            let rejected = try await adapter.request(path, token: "bad-token")
            #expect(rejected.status == 401)
            #expect(rejected.json?["reason"] == .string("Unauthorized"))
            #expect(try await adapter.request(path, token: "bad-token").status == 401)
            #expect(adapter.kube.tokenReviews.count == 2)

            // Rejections live 5 s, acceptances 10 s.
            adapter.time.advance(.seconds(6))
            _ = try await adapter.request(path, token: "bad-token")
            _ = try await adapter.request(path, token: "good-token")
            #expect(adapter.kube.tokenReviews.count == 3)
            adapter.time.advance(.seconds(5))
            _ = try await adapter.request(path, token: "good-token")
            #expect(adapter.kube.tokenReviews.count == 4)
        }
    }

    @Test func caRotationFromTheConfigMapAppliesWithoutRestart() async throws {
        let oldCA = try TestCA(name: "front-proxy-ca-1")
        let newCA = try TestCA(name: "front-proxy-ca-2")
        let oldProxy = try oldCA.issue(commonName: "front-proxy-client")
        let newProxy = try newCA.issue(commonName: "front-proxy-client")
        try await SecureAdapter.with() { adapter in
            adapter.allowAll()
            try adapter.kube.seed(.configMaps, namespace: "kube-system", object: try Self.configMap(ca: oldCA))
            let watcher = AuthenticationConfigMapWatcher(
                api: adapter.watcherAPI, store: adapter.settings, interval: .milliseconds(1), logger: adapter.logs.logger("watch"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await watcher.run() }
                // The loop reads, then sleeps, then reads: a second GET means the first read was applied.
                await Self.waitForConfigMapReads(adapter.kube, count: 2)
                #expect(try await adapter.request(Self.selectorPath, headers: Self.identityHeaders, identity: oldProxy).status == 200)
                #expect(try await adapter.request(Self.selectorPath, headers: Self.identityHeaders, identity: newProxy).status == 401)

                try adapter.kube.patch(.configMaps, namespace: "kube-system", name: "extension-apiserver-authentication",
                                       patch: .object(["data": .object(["requestheader-client-ca-file": .string(try newCA.pem)])]))
                let reads = Self.configMapReads(adapter.kube.requests)
                await Self.waitForConfigMapReads(adapter.kube, count: reads + 2)
                #expect(try await adapter.request(Self.selectorPath, headers: Self.identityHeaders, identity: newProxy).status == 200)
                #expect(try await adapter.request(Self.selectorPath, headers: Self.identityHeaders, identity: oldProxy).status == 401)
                tasks.cancelAll()
            }
            #expect(adapter.settings.current.usernameHeaders == ["X-Remote-User"])
            #expect(adapter.settings.current.allowedNames == ["front-proxy-client"])
        }
    }

    static func configMap(ca: TestCA) throws -> JSONValue {
        .object([
            "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
            "metadata": .object(["name": .string("extension-apiserver-authentication"), "namespace": .string("kube-system")]),
            "data": .object([
                "requestheader-client-ca-file": .string(try ca.pem),
                "requestheader-allowed-names": .string(#"["front-proxy-client"]"#),
                "requestheader-username-headers": .string(#"["X-Remote-User"]"#),
                "requestheader-group-headers": .string(#"["X-Remote-Group"]"#),
                "requestheader-extra-headers-prefix": .string(#"["X-Remote-Extra-"]"#),
                "requestheader-uid-headers": .string(""),
            ]),
        ])
    }

    static func configMapReads(_ requests: [KubeAPITestServer.Request]) -> Int {
        requests.filter { $0.path.hasSuffix("/configmaps/extension-apiserver-authentication") }.count
    }

    static func waitForConfigMapReads(_ kube: KubeAPITestServer, count: Int) async {
        await kube.waitUntil { configMapReads($0.requests) >= count }
    }
}
