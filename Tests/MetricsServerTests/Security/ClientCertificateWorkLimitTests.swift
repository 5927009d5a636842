import Foundation
import Shared
import Testing

@testable import MetricsServer
import TestSupport

/// Issue 13, section 1a: what a presented certificate chain can cost before its sender is
/// authenticated. Driven through real TLS connections to the real server; the work is
/// observed through the verification cache's counters, never through wall-clock time.
@Suite("Client certificate work limits")
struct ClientCertificateWorkLimitTests {
    static let path = DelegatedAuthenticationTests.selectorPath
    static let headers = DelegatedAuthenticationTests.identityHeaders

    /// A front-proxy CA (allowed name `front-proxy-client`) and a client CA, both configured.
    struct CAs {
        let front: TestCA
        let client: TestCA

        init() throws {
            front = try TestCA(name: "front-proxy-ca")
            client = try TestCA(name: "client-ca")
        }

        var settings: AuthenticationSettings {
            AuthenticationSettings(
                requestHeaderCAs: [front.certificate], allowedNames: ["front-proxy-client"], clientCAs: [client.certificate])
        }
    }

    /// SubjectAccessReviews allow alice and bob, and nobody else (anonymous included).
    static func allowAliceAndBob(_ adapter: SecureAdapter) {
        adapter.kube.setSubjectAccessReviewHandler { spec in
            .object(["allowed": .bool(spec["user"] == .string("alice") || spec["user"] == .string("bob"))])
        }
    }

    @Test(arguments: [11, 13])
    func theCraftedChainOfTheIssueIsRefusedUnverifiedAndTheServerStaysResponsive(_ count: Int) async throws {
        let cas = try CAs()
        let crafted = try ClientCertificateTestChains.crafted(count: count)
        #expect(try crafted.derByteCount < ClientCertificateLimits.standard.maxChainBytes, "refused by count, not size")
        let proxy = try ClientCertificateTestChains.direct(cas.front, commonName: "front-proxy-client")
        try await SecureAdapter.with(.init(settings: cas.settings)) { adapter in
            Self.allowAliceAndBob(adapter)
            try await ClientCertificateKeepAliveClient.with(adapter, presenting: crafted) { client in
                for _ in 0..<3 {
                    let reply = try await client.get(Self.path, headers: Self.headers)
                    #expect(reply.status == 401, "\(reply.body)")
                    #expect(reply.json?["reason"] == .string("Unauthorized"))
                }
            }
            // Refused before any verification: no path building, no signature check.
            let verifications = adapter.settings.verifications
            #expect(verifications.verifications(.requestHeader) == 0)
            #expect(verifications.verifications(.client) == 0)
            #expect(verifications.signatureChecks(.requestHeader) + verifications.signatureChecks(.client) == 0)
            #expect(adapter.kube.subjectAccessReviews.isEmpty)
            // Logged once for the connection, saying what to change; every request said why it failed.
            let tlsLines = adapter.logs.all.filter { $0.contains("Client certificate chain over the limits") }
            #expect(tlsLines.count == 1, "\(tlsLines)")
            #expect(tlsLines.first?.contains(#""tls.client_chain_certificates": \#(count)"#) == true, "\(tlsLines)")
            #expect(tlsLines.first?.contains("more than the 5 certificates allowed; present the leaf and at most 4 intermediates") == true)
            let refusals = adapter.logs.all.filter {
                $0.contains("Unable to authenticate the request") && $0.contains("more than the 5 certificates allowed")
            }
            #expect(refusals.count == 3)

            // The server answers the front proxy at once.
            let reply = try await adapter.request(Self.path, headers: Self.headers, presenting: proxy)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(adapter.kube.subjectAccessReviews.last?["user"] == .string("alice"))
        }
    }

    @Test func aCraftedChainWithinTheSizeLimitsSpendsItsSignatureBudgetAndNoMore() async throws {
        let cas = try CAs()
        let limits = ClientCertificateLimits.standard
        let crafted = try ClientCertificateTestChains.crafted(count: limits.maxCertificates)
        let bob = try ClientCertificateTestChains.throughIntermediate(cas.client, commonName: "bob")
        try await SecureAdapter.with(.init(settings: cas.settings)) { adapter in
            Self.allowAliceAndBob(adapter)
            try await ClientCertificateKeepAliveClient.with(adapter, presenting: crafted) { client in
                let reply = try await client.get(Self.path, headers: Self.headers)
                #expect(reply.status == 401, "\(reply.body)")
            }
            // Exploring every ordering of the four looping CAs would take 260 signature checks.
            let verifications = adapter.settings.verifications
            #expect(verifications.verifications(.requestHeader) == 1)
            #expect(verifications.verifications(.client) == 1)
            #expect(verifications.signatureChecks(.requestHeader) == limits.maxSignatureChecks)
            #expect(verifications.signatureChecks(.client) == limits.maxSignatureChecks)
            let refusal = adapter.logs.all.first { $0.contains("Unable to authenticate the request") }
            #expect(refusal?.contains("needs more than 100 signature checks") == true, "\(refusal ?? "no log")")

            let reply = try await adapter.request(Self.path, presenting: bob)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(adapter.kube.subjectAccessReviews.last?["user"] == .string("bob"))
        }
    }

    enum Shape: String, CaseIterable, Sendable {
        case direct, throughIntermediate
    }

    @Test(arguments: Shape.allCases)
    func legitimateFrontProxyAndClientChainsStillAuthenticate(_ shape: Shape) async throws {
        let cas = try CAs()
        func chain(_ ca: TestCA, _ name: String) throws -> TestChain {
            switch shape {
            case .direct: try ClientCertificateTestChains.direct(ca, commonName: name)
            case .throughIntermediate: try ClientCertificateTestChains.throughIntermediate(ca, commonName: name)
            }
        }
        let proxy = try chain(cas.front, "front-proxy-client")
        let bob = try chain(cas.client, "bob")
        try await SecureAdapter.with(.init(settings: cas.settings)) { adapter in
            Self.allowAliceAndBob(adapter)
            let proxied = try await adapter.request(Self.path, headers: Self.headers, presenting: proxy)
            #expect(proxied.status == 200, "\(proxied.body)")
            #expect(adapter.kube.subjectAccessReviews.last?["user"] == .string("alice"))
            let direct = try await adapter.request(Self.path, presenting: bob)
            #expect(direct.status == 200, "\(direct.body)")
            #expect(adapter.kube.subjectAccessReviews.last?["user"] == .string("bob"))
            // A legitimate chain stays far inside the budget: one check per link.
            let verifications = adapter.settings.verifications
            #expect(verifications.signatureChecks(.requestHeader) <= 2 * proxy.certificates.count)
            #expect(verifications.signatureChecks(.client) <= 2 * bob.certificates.count)
        }
    }

    @Test func aKeepAliveConnectionIsVerifiedOncePerTrustPool() async throws {
        let cas = try CAs()
        let proxy = try ClientCertificateTestChains.throughIntermediate(cas.front, commonName: "front-proxy-client")
        let bob = try ClientCertificateTestChains.throughIntermediate(cas.client, commonName: "bob")
        try await SecureAdapter.with(.init(settings: cas.settings)) { adapter in
            Self.allowAliceAndBob(adapter)
            let verifications = adapter.settings.verifications
            try await ClientCertificateKeepAliveClient.with(adapter, presenting: proxy) { client in
                for _ in 0..<50 {
                    let reply = try await client.get(Self.path, headers: Self.headers)
                    #expect(reply.status == 200, "\(reply.body)")
                }
            }
            #expect(verifications.verifications(.requestHeader) == 1)
            #expect(verifications.verifications(.client) == 0)

            // An ordinary client certificate: refused by the front-proxy CA once, verified by the client CA once.
            try await ClientCertificateKeepAliveClient.with(adapter, presenting: bob) { client in
                for _ in 0..<50 {
                    let reply = try await client.get(Self.path)
                    #expect(reply.status == 200, "\(reply.body)")
                }
            }
            #expect(verifications.verifications(.requestHeader) == 2)
            #expect(verifications.verifications(.client) == 1)
        }
    }

    @Test func aNewCABundleIsVerifiedAgainstAfresh() async throws {
        let cas = try CAs()
        let proxy = try ClientCertificateTestChains.direct(cas.front, commonName: "front-proxy-client")
        try await SecureAdapter.with(.init(settings: cas.settings)) { adapter in
            Self.allowAliceAndBob(adapter)
            let verifications = adapter.settings.verifications
            try await ClientCertificateKeepAliveClient.with(adapter, presenting: proxy) { client in
                #expect(try await client.get(Self.path, headers: Self.headers).status == 200)
                // Rotated to another front-proxy CA: the cached verdict does not outlive its bundle.
                var rotated = cas.settings
                rotated.requestHeaderCAs = [try TestCA(name: "front-proxy-ca-2").certificate]
                adapter.settings.update(rotated)
                #expect(try await client.get(Self.path, headers: Self.headers).status == 401)
                #expect(try await client.get(Self.path, headers: Self.headers).status == 401)
                // Only the allowed names changed: the bundle, and so the verdict, stand.
                var renamed = rotated
                renamed.allowedNames = ["front-proxy-client", "other-proxy"]
                adapter.settings.update(renamed)
                #expect(try await client.get(Self.path, headers: Self.headers).status == 401)
                adapter.settings.update(cas.settings)
                #expect(try await client.get(Self.path, headers: Self.headers).status == 200)
            }
            #expect(verifications.verifications(.requestHeader) == 3)
        }
    }
}

extension SecureAdapter {
    /// One request on a fresh connection presenting `chain`, which may hold intermediates.
    func request(_ path: String, headers: [(String, String)] = [], presenting chain: TestChain) async throws -> Reply {
        var reply = Reply(status: 0, body: "")
        try await ClientCertificateKeepAliveClient.with(self, presenting: chain) { client in
            reply = try await client.get(path, headers: headers)
        }
        return reply
    }
}
