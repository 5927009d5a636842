import AsyncHTTPClient
import Foundation
import NIOSSL
import Shared
import Testing
import SysdigSimulator
import TestSupport

/// `serve --config-source kubernetes` against the in-process Kubernetes API test
/// server and the Sysdig simulator: mappings created in "the cluster" are served,
/// status is written back, and deletions take the alias away.
@Suite struct KubernetesModeTests {
    static func mapping(_ name: String, namespace: String?, alias: String, resource: String = "services") -> JSONValue {
        KubeTestFixtures.mapping(name, namespace: namespace, alias: alias, resources: [resource])
    }

    static func get(_ client: HTTPClient, _ url: String) async throws -> (Int, String) {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// A temporary directory (removed by the caller) holding a Sysdig token file, a
    /// simulator accepting that token, and a test API server whose SubjectAccessReviews
    /// allow everything (Kubernetes mode authorizes every request with one).
    static func environment(_ prefix: String) throws -> (URL, String, SysdigSimulator, KubeAPITestServer) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sysdigToken = "sysdig-\(UUID().uuidString)"
        try sysdigToken.write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let simulator = SysdigSimulator(token: sysdigToken, world: SysdigSimulator.demo(clusterName: "demo"))
        let kube = KubeAPITestServer()
        kube.setSubjectAccessReviewHandler { _ in .object(["allowed": .bool(true)]) }
        return (directory, sysdigToken, simulator, kube)
    }

    @Test func servesWhatTheClusterHoldsAndReportsStatus() async throws {
        let (directory, sysdigToken, simulator, kube) = try Self.environment("k8s-mode")
        defer { try? FileManager.default.removeItem(at: directory) }
        try kube.seed(.sysdigMetricMappings, namespace: "default", object: Self.mapping("kuard", namespace: "default", alias: "kuard_rps"))
        try kube.seed(.sysdigMetricMappings, namespace: "default", object: Self.mapping("broken", namespace: "default", alias: "broken_rps", resource: "widgets"))

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            try await run(http: http, simulator: simulator, kube: kube, directory: directory, sysdigToken: sysdigToken)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func run(
        http: HTTPClient, simulator: SysdigSimulator, kube: KubeAPITestServer, directory: URL, sysdigToken: String
    ) async throws {
        try await simulator.withRunning { sysdigPort in
            try await kube.withRunning { kubePort in
                let kubeconfig = try KubeTestFixtures.writeKubeconfig(in: directory, port: kubePort)
                let adapter = try ChildProcess(try AdapterBinary.require(), [
                    "serve", "--config-source", "kubernetes", "--kubeconfig", kubeconfig,
                    "--sysdig-url", "http://127.0.0.1:\(sysdigPort)",
                    "--sysdig-token-file", directory.appendingPathComponent("token").path,
                    "--cluster-name", "demo", "--bind-address", "127.0.0.1", "--secure-port", "0",
                    "--status-query-interval", "0.2",
                ])
                let port = try #require(await adapter.servingPort(), "adapter exited: \(adapter.stderr)")
                let base = "https://127.0.0.1:\(port)"

                // The leader writes status: Ready on the good mapping, the field problem on the bad one.
                await kube.waitUntil { snapshot in
                    let good = snapshot.object(.sysdigMetricMappings, namespace: "default", name: "kuard")
                    let bad = snapshot.object(.sysdigMetricMappings, namespace: "default", name: "broken")
                    return good?["status"]?["conditions"] != nil && bad?["status"]?["conditions"] != nil
                }
                let bad = try #require(kube.object(.sysdigMetricMappings, namespace: "default", name: "broken"))
                let badReady = bad["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
                #expect(badReady?["status"]?.stringValue == "False")
                // The CRD accepts it (any resource name); the operator does not know the resource.
                #expect(badReady?["message"]?.stringValue?.contains("spec.objects[0].resource") == true)
                let good = try #require(kube.object(.sysdigMetricMappings, namespace: "default", name: "kuard"))
                #expect(good["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }?["status"]?.stringValue == "True")

                let (readyCode, _) = try await Self.get(http, "\(base)/readyz")
                #expect(readyCode == 200)
                let (code, body) = try await Self.get(http, "\(base)/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/kuard_rps")
                #expect(code == 200, "\(body)")
                #expect(body.contains(#""metricName":"kuard_rps""#))
                // The answer shows up in status.lastQuery (the printer column VALUE).
                await kube.waitUntil { snapshot in
                    snapshot.object(.sysdigMetricMappings, namespace: "default", name: "kuard")?["status"]?["lastQuery"]?["outcome"]?.stringValue == "Success"
                }
                let lastQuery = kube.object(.sysdigMetricMappings, namespace: "default", name: "kuard")?["status"]?["lastQuery"]
                #expect(lastQuery?["value"]?.stringValue?.isEmpty == false)

                // A mapping created later is served; a deleted one is gone at once.
                try kube.seed(.clusterSysdigMetricMappings, object: Self.mapping("pods-rps", namespace: nil, alias: "pod_rps", resource: "pods"))
                await kube.waitUntil { $0.object(.clusterSysdigMetricMappings, name: "pods-rps")?["status"]?["conditions"] != nil }
                let (_, discovery) = try await Self.get(http, "\(base)/apis/custom.metrics.k8s.io/v1beta1")
                #expect(discovery.contains("pods/pod_rps"))
                try kube.remove(.sysdigMetricMappings, namespace: "default", name: "kuard")
                // The removal reaches the adapter through its watch; each probe is a real request (no timers).
                var gone = false
                for _ in 0..<2000 where !gone {
                    let (status, _) = try await Self.get(http, "\(base)/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/kuard_rps")
                    gone = status == 404
                }
                #expect(gone)

                #expect(kube.subjectAccessReviews.contains { $0["user"]?.stringValue == "system:anonymous" })
                #expect(await adapter.terminate() == 0, "\(adapter.stderr)")
                #expect(!adapter.stderr.contains(sysdigToken))
                #expect(!adapter.stderr.contains("kube-token"))
                // The lease was released on shutdown.
                let lease = kube.object(.leases, namespace: "sysdig-metrics", name: "sysdig-adapter")
                #expect(lease?["spec"]?["holderIdentity"]?.stringValue == "")
            }
        }
    }
}
