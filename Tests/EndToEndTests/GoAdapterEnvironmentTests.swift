import Foundation
import Shared
import Testing
import SysdigSimulator
import TestSupport

/// `serve` configured the way the Go adapter it replaces was: environment only
/// (`SDC_TOKEN`, `SDC_ENDPOINT` with its trailing `/api/`, `CLUSTER_NAME`), no Sysdig
/// flags; and the cluster-name requirement.
@Suite(.serialized) struct GoAdapterEnvironmentTests {
    /// The Go adapter's manifests set `SDC_ENDPOINT=https://app.sysdigcloud.com/api/`.
    @Test(
        .enabled(if: ServeCommandTests.kubectl != nil, "kubectl is not on PATH"),
        arguments: ["/api/", "/api", "", "/"])
    func theGoAdaptersEnvironmentWorksUnchanged(endpointSuffix: String) async throws {
        let kubectl = try #require(ServeCommandTests.kubectl)
        let binary = try AdapterBinary.require()
        let token = "go-env-token-" + UUID().uuidString.lowercased()
        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo(clusterName: "prod-eu"))
        try await simulator.withRunning { sysdigPort in
            let adapter = try ChildProcess(
                binary,
                ["serve", "--config-source", "files", "--mappings", "crds/examples", "--bind-address", "127.0.0.1", "--secure-port", "0"],
                environment: [
                    "SDC_TOKEN": token, "SDC_ENDPOINT": "http://127.0.0.1:\(sysdigPort)\(endpointSuffix)",
                    "CLUSTER_NAME": "prod-eu",
                ])
            do {
                let port = try #require(await adapter.servingPort(), "serve did not start: \(adapter.stderr)")
                let result = try await runProcessOffThePool(kubectl, [
                    "get", "--raw", "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kuard/kuard_rps",
                    "--server", "https://127.0.0.1:\(port)", "--insecure-skip-tls-verify", "--token", "x",
                ], environment: ["HOME": FileManager.default.temporaryDirectory.path, "KUBECONFIG": "/dev/null"])
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stdout.contains("\"metricName\":\"kuard_rps\""), "\(result.stdout)")
            } catch {
                adapter.kill()
                throw error
            }
            #expect(await adapter.terminate() == 0)
            let paths = simulator.requests.map(\.path)
            #expect(paths.contains("/api/data"))
            #expect(!paths.contains { $0.hasPrefix("/api/api") }, "\(paths)")
            let data = simulator.requests.filter { $0.path == "/api/data" }
            #expect(!data.isEmpty && data.allSatisfy {
                ($0.jsonBody?["filter"] as? String)?.hasPrefix("kubernetes.cluster.name = 'prod-eu'") == true
            })
            #expect(!adapter.stderr.contains(token))
        }
    }

    /// Without a cluster name every cluster of the account would mix into each answer;
    /// with the install's placeholder every answer would be "no data". Both refuse to start.
    @Test(arguments: [
        ([], ["CLUSTER_NAME": ""], "--single-cluster-account"),
        (["--cluster-name", ""], [:], "no cluster name"),
        ([], ["CLUSTER_NAME": "CHANGE-ME"], "deploy/base/params.env"),
        (["--cluster-name=CHANGE-ME"], [:], "placeholder"),
        (["--cluster-name", "prod", "--single-cluster-account"], [:], "contradict"),
    ] as [([String], [String: String], String)])
    func servingWithoutAClusterNameIsRefused(arguments: [String], environment: [String: String], message: String) throws {
        let binary = try AdapterBinary.require()
        var env = ProcessInfo.processInfo.environment
        env["CLUSTER_NAME"] = nil
        env["SDC_TOKEN"] = "t"
        env.merge(environment) { $1 }
        let result = try runProcess(
            binary,
            ["serve", "--config-source", "files", "--mappings", "crds/examples", "--secure-port", "0"] + arguments,
            environment: env)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Serving the metrics APIs"))
    }

    @Test func aSingleClusterAccountServesWithoutClusterScope() async throws {
        let binary = try AdapterBinary.require()
        let simulator = SysdigSimulator(token: "t", world: SysdigSimulator.demo(clusterName: "any"))
        try await simulator.withRunning { sysdigPort in
            let adapter = try ChildProcess(binary, [
                "serve", "--config-source", "files", "--mappings", "crds/examples", "--bind-address", "127.0.0.1",
                "--secure-port", "0", "--sysdig-url", "http://127.0.0.1:\(sysdigPort)", "--single-cluster-account",
            ], environment: ["SDC_TOKEN": "t", "CLUSTER_NAME": ""])
            let port = await adapter.servingPort()
            #expect(port != nil, "\(adapter.stderr)")
            #expect(await adapter.terminate() == 0)
        }
    }
}

/// `runProcess` on a Dispatch thread: waiting for a child blocks its thread, and a
/// blocked cooperative-pool thread (two on a 2-core machine) starves the in-process
/// simulator the child is talking to.
func runProcessOffThePool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws
    -> (status: Int32, stdout: String, stderr: String)
{
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runProcess(executable, arguments, environment: environment) })
        }
    }
}
