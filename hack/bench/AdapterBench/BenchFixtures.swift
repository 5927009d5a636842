import Foundation
import Shared
import SysdigSimulator
import TestSupport

/// Mappings, worlds and files the benchmarks share.
enum BenchFixtures {
    /// A mapping object serving `alias` for services and pods.
    static func mapping(_ name: String, namespace: String?, alias: String, resources: [String] = ["services", "pods"]) -> JSONValue {
        KubeTestFixtures.mapping(name, namespace: namespace, alias: alias, resources: resources)
    }

    /// One YAML document of a ClusterSysdigMetricMapping for files mode.
    static func clusterMappingYAML(name: String, alias: String, metric: String = "net.http.request.count", resources: [String]) -> String {
        let objects = resources.map { "{resource: \($0)}" }.joined(separator: ", ")
        return """
            ---
            apiVersion: metrics.sysdig.com/v1alpha1
            kind: ClusterSysdigMetricMapping
            metadata: {name: \(name)}
            spec:
              metricName: \(alias)
              sysdig: {metric: \(metric), timeAggregation: timeAvg, groupAggregation: sum}
              objects: [\(objects)]

            """
    }

    /// One YAML document of an external ClusterSysdigMetricMapping.
    static func externalMappingYAML(name: String, alias: String) -> String {
        """
        ---
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: ClusterSysdigMetricMapping
        metadata: {name: \(name)}
        spec:
          metricName: \(alias)
          sysdig: {metric: rabbitmq.queue.messages, timeAggregation: avg, groupAggregation: sum}
          external: true

        """
    }

    /// `pods` pods of deployment `bench-<i % 10>` (label `app=bench`) in namespace `bench`.
    static func manyPods(_ pods: Int, clusterName: String) -> SysdigSimulator.World {
        let entities = (0..<pods).map { index in
            [
                "kubernetes.cluster.name": clusterName, "kubernetes.namespace.name": "bench",
                "kubernetes.deployment.name": "bench-\(index % 10)", "kubernetes.pod.name": "pod-\(index)",
                "kubernetes.pod.label.app": "bench", "kubernetes.node.name": "node-\(index % 4)",
            ]
        }
        let metrics = ["net.http.request.count", "cpu.used.percent"].map { id in
            SysdigSimulator.World.Metric(id: id) { labels, _ in
                guard let pod = labels["kubernetes.pod.name"] else { return nil }
                return Double(pod.utf8.reduce(0) { $0 &+ Int($1) } % 100) + 1
            }
        }
        return SysdigSimulator.World(entities: entities, metrics: metrics, extraLabels: ["container.name", "host.hostName"])
    }

    /// A temporary directory, removed by the caller.
    static func temporaryDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Writes a Sysdig token file and returns the token and the path.
    static func writeToken(in directory: URL) throws -> (token: String, path: String) {
        let token = "bench-\(UUID().uuidString)"
        let file = directory.appendingPathComponent("token")
        try token.write(to: file, atomically: true, encoding: .utf8)
        return (token, file.path)
    }
}
