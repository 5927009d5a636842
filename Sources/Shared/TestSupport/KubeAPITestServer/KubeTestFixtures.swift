import Foundation
import Shared

/// Objects and files that tests and benchmarks driving the real binary against
/// `KubeAPITestServer` all need.
public enum KubeTestFixtures {
    /// A SysdigMetricMapping (namespaced when `namespace` is given) or a
    /// ClusterSysdigMetricMapping serving `alias` from `net.http.request.count`.
    public static func mapping(
        _ name: String, namespace: String?, alias: String, resources: [String] = ["services"]
    ) -> JSONValue {
        var metadata: [String: JSONValue] = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return .object([
            "apiVersion": .string(MappingKind.apiVersion),
            "kind": .string(namespace == nil ? MappingKind.cluster.rawValue : MappingKind.namespaced.rawValue),
            "metadata": .object(metadata),
            "spec": .object([
                "metricName": .string(alias),
                "sysdig": .object([
                    "metric": .string("net.http.request.count"), "timeAggregation": .string("timeAvg"),
                    "groupAggregation": .string("sum"),
                ]),
                "objects": .array(resources.map { .object(["resource": .string($0)]) }),
            ]),
        ])
    }

    /// Writes `directory/kubeconfig` for the test server on `port` (bearer token
    /// `kube-token`, namespace `sysdig-metrics`) and returns its path.
    public static func writeKubeconfig(in directory: URL, port: Int) throws -> String {
        let file = directory.appendingPathComponent("kubeconfig")
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: test, cluster: {server: "http://127.0.0.1:\(port)"}}]
            users: [{name: test, user: {token: kube-token}}]
            contexts: [{name: test, context: {cluster: test, user: test, namespace: sysdig-metrics}}]
            current-context: test
            """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
