import Foundation
import Shared
import Synchronization
import Testing
import SysdigSimulator
import TestSupport

/// The built `sysdig-adapter serve` binary against an in-process Sysdig simulator,
/// queried with the real `kubectl`, then stopped with SIGTERM.
@Suite struct ServeCommandTests {
    static var kubectl: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/kubectl" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: kubectl != nil, "kubectl is not on PATH (install the Debian package kubernetes-client)"))
    func kubectlQueriesTheServedAPIs() async throws {
        let kubectl = try #require(Self.kubectl)
        let binary = try #require(AdapterBinary.path, "build sysdig-adapter first (hack/test.sh does)")
        let token = "e2e-token-" + UUID().uuidString.lowercased()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try (token + "\n").write(to: tokenFile, atomically: true, encoding: .utf8)
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        try "apiVersion: v1\nkind: Config\n".write(to: kubeconfig, atomically: true, encoding: .utf8)

        // An empty kubeconfig and HOME: only the flags decide where kubectl goes.
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = kubeconfig.path
        environment["HOME"] = directory.path

        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo(clusterName: "demo"))
        try await simulator.withRunning { sysdigPort in
            let adapter = try ChildProcess(binary, [
                "serve", "--config-source", "files", "--mappings", "crds/examples",
                "--sysdig-url", "http://127.0.0.1:\(sysdigPort)", "--sysdig-token-file", tokenFile.path,
                "--bind-address", "127.0.0.1", "--secure-port", "0", "--cluster-name", "demo",
            ])
            do {
                // serve logs "Serving the metrics APIs" with server.address=HOST:PORT once bound.
                let port = try #require(await adapter.servingPort(), "serve did not report its port: \(adapter.stderr)")
                // Off the cooperative pool: a blocked pool thread would starve the in-process
                // simulator that the adapter (and so kubectl) is waiting for.
                let environment = environment
                let kubectlRun = { @Sendable (path: String) async throws -> [String: Any] in
                    let result = try await runProcessOffThePool(kubectl, [
                        "get", "--raw", path, "--server", "https://127.0.0.1:\(port)",
                        "--insecure-skip-tls-verify", "--token", "x",
                    ], environment: environment)
                    #expect(result.status == 0, "kubectl get --raw \(path): \(result.stderr)")
                    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                    return try #require(json, "not a JSON object: \(result.stdout)")
                }
                try await check(kubectlRun, simulator: simulator, token: token)
            } catch {
                adapter.kill()
                throw error
            }
            let status = await adapter.terminate()
            #expect(status == 0, "serve did not shut down cleanly: \(adapter.stderr)")
            #expect(!adapter.stderr.contains(token))
        }
    }

    private func check(
        _ get: @Sendable (String) async throws -> [String: Any], simulator: SysdigSimulator, token: String
    ) async throws {
        let discovery = try await get("/apis/custom.metrics.k8s.io/v1beta2")
        #expect(discovery["kind"] as? String == "APIResourceList")
        let names = (discovery["resources"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("pods/cpu_usage"))
        #expect(names.contains("services/kuard_rps"))
        #expect(names.contains("deployments.apps/http_requests_per_second"))
        let external = try await get("/apis/external.metrics.k8s.io/v1beta1")
        #expect((external["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            == ["queue_messages", "queue_messages_promql"])

        let byName = try await get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/kuard_rps")
        #expect(byName["kind"] as? String == "MetricValueList")
        #expect(byName["apiVersion"] as? String == "custom.metrics.k8s.io/v1beta1")
        let item = try #require((byName["items"] as? [[String: Any]])?.first)
        #expect((byName["items"] as? [Any])?.count == 1)
        #expect(item["metricName"] as? String == "kuard_rps")
        #expect(item["window"] as? Int == 60)
        let object = item["describedObject"] as? [String: Any]
        #expect(object?["kind"] as? String == "Service")
        #expect(object?["name"] as? String == "kuard")
        #expect(object?["namespace"] as? String == "default")

        let bySelector = try await get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/cpu_usage?labelSelector=app%3Dweb")
        let pods = (bySelector["items"] as? [[String: Any]] ?? []).compactMap {
            ($0["describedObject"] as? [String: Any])?["name"] as? String
        }
        #expect(Set(pods) == ["web-5d8f6-abc12", "web-5d8f6-def34", "web-5d8f6-ghi56", "web-5d8f6-jkl78"])
        #expect((bySelector["items"] as? [[String: Any]])?.allSatisfy {
            ($0["metric"] as? [String: Any])?["name"] as? String == "cpu_usage" && $0["windowSeconds"] as? Int == 60
        } == true)

        let queue = try await get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages?labelSelector=rabbitmq.queue.name%3Dorders")
        #expect(queue["kind"] as? String == "ExternalMetricValueList")
        let series = try #require((queue["items"] as? [[String: Any]])?.first)
        #expect(series["metricLabels"] as? [String: String] == ["rabbitmq.queue.name": "orders"])
        #expect(series["window"] as? Int == 30)
        // A Kubernetes quantity the HPA can read (the simulated queue holds 5 to 765 messages).
        let milli = try Quantity.milliValue(of: series["value"] as? String ?? "")
        #expect((5_000...765_000).contains(milli), "\(series)")

        try await checkPromQL(get, simulator: simulator)

        let data = simulator.requests.filter { $0.path == "/api/data" }
        #expect(data.count == 3)
        #expect(data.allSatisfy { $0.authorized })
        #expect(data.allSatisfy { ($0.jsonBody?["filter"] as? String)?.hasPrefix("kubernetes.cluster.name = 'demo'") == true })
    }

    /// The PromQL backend through kubectl: an Object, a Pods (selector) and an External metric.
    private func checkPromQL(_ get: @Sendable (String) async throws -> [String: Any], simulator: SysdigSimulator) async throws {
        let deployment = try await get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/cpu_usage_promql")
        let item = try #require((deployment["items"] as? [[String: Any]])?.first)
        #expect((deployment["items"] as? [Any])?.count == 1)
        #expect((item["describedObject"] as? [String: Any])?["kind"] as? String == "Deployment")
        #expect((item["metric"] as? [String: Any])?["name"] as? String == "cpu_usage_promql")

        let pods = try await get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/cpu_usage_promql?labelSelector=app%3Dweb")
        let names = (pods["items"] as? [[String: Any]] ?? []).compactMap {
            ($0["describedObject"] as? [String: Any])?["name"] as? String
        }
        #expect(Set(names) == ["web-5d8f6-abc12", "web-5d8f6-def34", "web-5d8f6-ghi56", "web-5d8f6-jkl78"])

        let queue = try await get("/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages_promql?labelSelector=rabbitmq_queue_name%3Dorders")
        let series = try #require((queue["items"] as? [[String: Any]])?.first)
        #expect(series["metricLabels"] as? [String: String] == ["rabbitmq_queue_name": "orders"])
        let milli = try Quantity.milliValue(of: series["value"] as? String ?? "")
        #expect((5_000...765_000).contains(milli), "\(series)")

        let queries = simulator.requests.filter { $0.path.hasPrefix("/prometheus/api/v1/query") }
        #expect(queries.count == 3)
        #expect(queries.allSatisfy { $0.authorized })
    }
}
