import Foundation
import Shared
import TestSupport

/// Runs a fresh test API server and a client pointed at it for the duration of `body`.
func withKubeServer<T: Sendable>(
    token: String? = nil, qps: Double = 0, burst: Int = 10, maxRetries: Int = 10,
    _ body: (KubernetesClient, KubeAPITestServer) async throws -> T
) async throws -> T {
    try await withKubeServerPort(token: token, qps: qps, burst: burst, maxRetries: maxRetries) { client, server, _ in
        try await body(client, server)
    }
}

/// `withKubeServer`, serving `resources` (default: the mapping kinds with the shipped CRD
/// schemas enforced, leases, events, configmaps), and also handing `body` the port.
func withKubeServerPort<T: Sendable>(
    resources: [KubeTestResource] = KubeTestResource.defaults, token: String? = nil, qps: Double = 0, burst: Int = 10,
    maxRetries: Int = 10, _ body: (KubernetesClient, KubeAPITestServer, Int) async throws -> T
) async throws -> T {
    let server = KubeAPITestServer(resources: resources)
    return try await server.withRunning { port in
        let client = try KubernetesClient(
            configuration: server.configuration(port: port, token: token, qps: qps, burst: burst, maxRetries: maxRetries))
        do {
            let result = try await body(client, server, port)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// A minimal valid SysdigMetricMapping (or cluster mapping when `namespace` is nil).
func mappingObject(
    _ name: String, namespace: String? = "shop", metric: String = "net.http.request.count", labels: [String: String] = [:]
) -> JSONValue {
    var metadata: [String: JSONValue] = ["name": .string(name)]
    if let namespace { metadata["namespace"] = .string(namespace) }
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
    return .object([
        "apiVersion": .string(MappingKind.apiVersion),
        "kind": .string(namespace == nil ? MappingKind.cluster.rawValue : MappingKind.namespaced.rawValue),
        "metadata": .object(metadata),
        "spec": .object([
            "metricName": .string(name.replacingOccurrences(of: "-", with: "_")),
            "sysdig": .object(["metric": .string(metric)]),
            "objects": .array([.object(["resource": .string("pods")])]),
        ]),
    ])
}

extension JSONValue {
    var resourceVersion: String? { self["metadata"]?["resourceVersion"]?.stringValue }
    var generation: Double? {
        if case .number(let value)? = self["metadata"]?["generation"] { return value }
        return nil
    }
    var name: String? { self["metadata"]?["name"]?.stringValue }
}

/// Expects `body` to throw a `KubeAPIError`; returns it (nil and records nothing if another error).
func kubeError(_ body: () async throws -> Void) async -> KubeAPIError? {
    do {
        try await body()
        return nil
    } catch let error as KubeAPIError {
        return error
    } catch {
        return nil
    }
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
