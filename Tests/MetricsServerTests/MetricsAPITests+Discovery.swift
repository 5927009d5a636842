import AsyncHTTPClient
import Foundation
import NIOSSL
import Testing

@testable import MetricsServer

/// Discovery over real TLS: group documents, resource lists built from the store.
@Suite("Metrics API discovery")
struct MetricsAPIDiscoveryTests {
    static func resource(_ name: String, namespaced: Bool = true, kind: String = "MetricValueList") -> String {
        #"{"name":"\#(name)","singularName":"","namespaced":\#(namespaced),"kind":"\#(kind)","verbs":["get"]}"#
    }

    static func resourceList(_ groupVersion: String, _ resources: [String]) -> String {
        #"{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"\#(groupVersion)","resources":["#
            + resources.joined(separator: ",") + "]}\n"
    }

    static let customGroup =
        #"{"name":"custom.metrics.k8s.io","versions":[{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"},{"groupVersion":"custom.metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"}}"#
    static let externalGroup =
        #"{"name":"external.metrics.k8s.io","versions":[{"groupVersion":"external.metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"external.metrics.k8s.io/v1beta1","version":"v1beta1"}}"#

    @Test func certificateChainIsVerifiedForLocalhost() async throws {
        try await MetricsAPIHarness.run { api async throws in
            // The harness client trusts only the generated CA and checks the hostname.
            let reply = try await api.get("/apis")
            #expect(reply.status == 200)
            let other = try #require(try SelfSignedCertificateGenerator.generate(host: "other").caCertificatePEM)
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(other.utf8)))
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            // One handshake, no retries: the rejection is reported as such, however loaded the machine.
            configuration.connectionPool.retryConnectionEstablishment = false
            let stranger = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            await #expect {
                _ = try await stranger.execute(
                    HTTPClientRequest(url: "https://localhost:\(api.port)/apis"), timeout: .seconds(30))
            } throws: { error in
                LiveServer.isCertificateRejection(error)
            }
            try await stranger.shutdown()
        }
    }

    @Test func groupDocumentsAreByteExact() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let list = try await api.get("/apis")
            #expect(list.status == 200)
            #expect(list.headers["content-type"] == "application/json")
            #expect(list.body == #"{"kind":"APIGroupList","apiVersion":"v1","groups":["# + Self.customGroup + "," + Self.externalGroup + "]}\n")
            let custom = try await api.get("/apis/custom.metrics.k8s.io")
            #expect(custom.body == #"{"kind":"APIGroup","apiVersion":"v1","# + Self.customGroup.dropFirst() + "\n")
            let external = try await api.get("/apis/external.metrics.k8s.io")
            #expect(external.body == #"{"kind":"APIGroup","apiVersion":"v1","# + Self.externalGroup.dropFirst() + "\n")
            #expect(try await api.get("/apis/metrics.k8s.io").status == 404)
        }
    }

    @Test(arguments: ["v1beta1", "v1beta2"])
    func customResourceListComesFromTheStore(version: String) async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get("/apis/custom.metrics.k8s.io/\(version)")
            #expect(reply.status == 200)
            #expect(reply.body == Self.resourceList("custom.metrics.k8s.io/\(version)", [
                Self.resource("deployments.apps/http_requests"),
                Self.resource("namespaces/http_requests", namespaced: false),
                Self.resource("nodes/http_requests", namespaced: false),
                Self.resource("pods/http_requests"),
                Self.resource("pods/quiet_error"),
                Self.resource("pods/quiet_value"),
                Self.resource("services/http_requests"),
            ]))
        }
    }

    @Test func externalResourceListHasOnlyExternalAliases() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let reply = try await api.get("/apis/external.metrics.k8s.io/v1beta1")
            #expect(reply.body == Self.resourceList("external.metrics.k8s.io/v1beta1", [
                Self.resource("queue_messages", kind: "ExternalMetricValueList"),
            ]))
        }
    }

    @Test func placeholderWhenNothingIsConfigured() async throws {
        try await MetricsAPIHarness.run(mappings: "") { api async throws in
            for version in ["v1beta1", "v1beta2"] {
                let reply = try await api.get("/apis/custom.metrics.k8s.io/\(version)")
                #expect(reply.body == Self.resourceList("custom.metrics.k8s.io/\(version)", [
                    Self.resource("no-sysdig-metric-mappings"),
                ]))
            }
            let external = try await api.get("/apis/external.metrics.k8s.io/v1beta1")
            #expect(external.body == Self.resourceList("external.metrics.k8s.io/v1beta1", [
                Self.resource("no-sysdig-metric-mappings", kind: "ExternalMetricValueList"),
            ]))
        }
    }

    @Test func discoveryFollowsAConfigChange() async throws {
        try await MetricsAPIHarness.run { api async throws in
            #expect(try await api.get("/apis/custom.metrics.k8s.io/v1beta2").body.contains("pods/http_requests"))
            try api.publish(MetricsAPIFixtures.cpuOnly)
            for version in ["v1beta1", "v1beta2"] {
                let reply = try await api.get("/apis/custom.metrics.k8s.io/\(version)")
                #expect(reply.body == Self.resourceList("custom.metrics.k8s.io/\(version)", [
                    Self.resource("pods/cpu_usage"),
                ]))
            }
            let external = try await api.get("/apis/external.metrics.k8s.io/v1beta1")
            #expect(external.body.contains("no-sysdig-metric-mappings"))
            // The removed alias is gone from the metric endpoints too.
            let gone = try await api.get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-1/http_requests")
            #expect(gone.status == 404)
            let now = try await api.get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-1/cpu_usage")
            #expect(now.status == 200)
        }
    }
}
