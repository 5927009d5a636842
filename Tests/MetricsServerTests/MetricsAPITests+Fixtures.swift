import Foundation
import Shared
import SysdigSimulator

/// The small cluster the API tests query. Values are exact in binary floating point,
/// so sums and Quantity strings are byte-exact:
/// - `shop`: deployment and service `web` (pods web-1 105.75, web-2 1.5; app=web),
///   deployment `api` (pod api-1 2; app=api), queues `orders` 12 and `payments` 1200;
/// - `default`: deployment `kuard` (pod kuard-1 0.25; app=kuard).
/// Nodes: web-1 and api-1 on node-1 (pool blue), web-2 and kuard-1 on node-2 (pool green).
enum MetricsAPIFixtures {
    static let podValues: [String: Double] = ["web-1": 105.75, "web-2": 1.5, "api-1": 2, "kuard-1": 0.25]
    static let queueValues: [String: Double] = ["orders": 12, "payments": 1200]

    static func pod(
        _ name: String, namespace: String, deployment: String, service: Bool, tier: String, node: String
    ) -> [String: String] {
        var labels = [
            "kubernetes.cluster.name": "prod",
            "kubernetes.namespace.name": namespace,
            "kubernetes.deployment.name": deployment,
            "kubernetes.pod.name": name,
            "kubernetes.pod.label.app": deployment,
            "kubernetes.pod.label.tier": tier,
            "kubernetes.node.name": node,
            "kubernetes.node.label.pool": node == "node-1" ? "blue" : "green",
        ]
        if service { labels["kubernetes.service.name"] = deployment }
        return labels
    }

    static let world = SysdigSimulator.World(
        entities: [
            pod("web-1", namespace: "shop", deployment: "web", service: true, tier: "front", node: "node-1"),
            pod("web-2", namespace: "shop", deployment: "web", service: true, tier: "back", node: "node-2"),
            pod("api-1", namespace: "shop", deployment: "api", service: false, tier: "back", node: "node-1"),
            pod("kuard-1", namespace: "default", deployment: "kuard", service: true, tier: "front", node: "node-2"),
            ["kubernetes.cluster.name": "prod", "kubernetes.namespace.name": "shop", "rabbitmq.queue.name": "orders"],
            ["kubernetes.cluster.name": "prod", "kubernetes.namespace.name": "shop", "rabbitmq.queue.name": "payments"],
        ],
        metrics: [
            .init(id: "net.http.request.count") { labels, _ in podValues[labels["kubernetes.pod.name"] ?? ""] },
            .init(id: "rabbitmq.queue.messages") { labels, _ in queueValues[labels["rabbitmq.queue.name"] ?? ""] },
            .init(id: "quiet.metric") { _, _ in nil },
        ])

    /// `http_requests` on every resource shape; `queue_messages` external;
    /// `quiet_error` / `quiet_value` (pods only) never have data.
    static let mappings = """
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: ClusterSysdigMetricMapping
        metadata: {name: http-requests}
        spec:
          metricName: http_requests
          sysdig: {metric: net.http.request.count, timeAggregation: timeAvg, groupAggregation: sum}
          objects:
            - resource: pods
            - resource: deployments.apps
            - resource: services
            - resource: namespaces
            - resource: nodes
          window: 60s
        ---
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: ClusterSysdigMetricMapping
        metadata: {name: queue-depth}
        spec:
          metricName: queue_messages
          sysdig: {metric: rabbitmq.queue.messages, timeAggregation: avg, groupAggregation: sum}
          external: true
          window: 30s
        ---
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: ClusterSysdigMetricMapping
        metadata: {name: quiet-error}
        spec:
          metricName: quiet_error
          sysdig: {metric: quiet.metric, timeAggregation: avg, groupAggregation: avg}
          objects: [{resource: pods}]
          window: 60s
          noData: {policy: error}
        ---
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: ClusterSysdigMetricMapping
        metadata: {name: quiet-value}
        spec:
          metricName: quiet_value
          sysdig: {metric: quiet.metric, timeAggregation: avg, groupAggregation: avg}
          objects: [{resource: pods}]
          window: 60s
          noData: {policy: value, value: 1.5}
        """

    /// One pods alias, for the "discovery follows the store" test.
    static let cpuOnly = """
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: ClusterSysdigMetricMapping
        metadata: {name: pod-cpu}
        spec:
          metricName: cpu_usage
          sysdig: {metric: net.http.request.count, timeAggregation: avg, groupAggregation: avg}
          objects: [{resource: pods}]
          window: 60s
        """

    /// `count` pods in namespace `big`, each `app=big`, pod i worth i.
    static func bigWorld(pods count: Int) -> SysdigSimulator.World {
        let entities = (0..<count).map { index in
            [
                "kubernetes.cluster.name": "prod", "kubernetes.namespace.name": "big",
                "kubernetes.pod.name": "big-\(index)", "kubernetes.pod.label.app": "big",
            ]
        }
        return SysdigSimulator.World(
            entities: entities,
            metrics: [
                .init(id: "net.http.request.count") { labels, _ in
                    (labels["kubernetes.pod.name"]?.dropFirst(4)).flatMap { Double(String($0)) }
                },
            ])
    }
}
