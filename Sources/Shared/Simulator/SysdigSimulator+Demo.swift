import Foundation
import Shared

extension SysdigSimulator {
    /// A small cluster for `demo` and tests:
    /// - namespace `default`: deployment and service `kuard`, 3 pods (`app=kuard`);
    /// - namespace `shop`: deployment and service `web`, 4 pods (`app=web`), and
    ///   deployment `api`, 2 pods (`app=api`, no service);
    /// - RabbitMQ queues `orders`, `payments`, `emails` in namespace `shop`.
    ///
    /// On the Prometheus API the same data carries Prometheus names
    /// (`sysdig_container_cpu_used_percent`, `kube_pod_name`, `kube_workload_name`...,
    /// see `prometheusLabels`).
    ///
    /// Pods alternate between nodes `node-1` and `node-2`. Per-pod values differ and
    /// drift smoothly over a 10-minute period, so HPAs see movement.
    public static func demo(clusterName: String = "demo") -> World {
        var entities: [[String: String]] = []
        let workloads: [(namespace: String, name: String, service: Bool, suffixes: [String])] = [
            ("default", "kuard", true, ["7c9d4-bx2kq", "7c9d4-hz8rw", "7c9d4-m4tfn"]),
            ("shop", "web", true, ["5d8f6-abc12", "5d8f6-def34", "5d8f6-ghi56", "5d8f6-jkl78"]),
            ("shop", "api", false, ["6b7c8-pq9rs", "6b7c8-tu1vw"]),
        ]
        var podIndex = 0
        for workload in workloads {
            for suffix in workload.suffixes {
                var labels = [
                    "kubernetes.cluster.name": clusterName,
                    "kubernetes.namespace.name": workload.namespace,
                    "kubernetes.deployment.name": workload.name,
                    "kubernetes.pod.name": "\(workload.name)-\(suffix)",
                    "kubernetes.pod.label.app": workload.name,
                    "kubernetes.node.name": podIndex.isMultiple(of: 2) ? "node-1" : "node-2",
                ]
                if workload.service { labels["kubernetes.service.name"] = workload.name }
                entities.append(labels)
                podIndex += 1
            }
        }
        for queue in ["orders", "payments", "emails"] {
            entities.append([
                "kubernetes.cluster.name": clusterName,
                "kubernetes.namespace.name": "shop",
                "rabbitmq.queue.name": queue,
            ])
        }
        return World(entities: entities, metrics: demoMetrics(), extraLabels: ["container.name", "host.hostName"])
    }

    private static func demoMetrics() -> [World.Metric] {
        [
            World.Metric(
                id: "net.http.request.count", metricType: "counter",
                prometheusName: "sysdig_container_net_http_request_count"
            ) { labels, at in
                guard let pod = labels["kubernetes.pod.name"] else { return nil }
                return wave(pod, at: at, base: 5, spread: 20, amplitude: 0.3)
            },
            World.Metric(id: "cpu.used.percent", type: "%", prometheusName: "sysdig_container_cpu_used_percent") { labels, at in
                guard let pod = labels["kubernetes.pod.name"] else { return nil }
                return wave(pod + "cpu", at: at, base: 10, spread: 60, amplitude: 0.2)
            },
            World.Metric(id: "memory.bytes.used", type: "byte", prometheusName: "sysdig_container_memory_used_bytes") { labels, at in
                guard let pod = labels["kubernetes.pod.name"] else { return nil }
                return (wave(pod + "mem", at: at, base: 64, spread: 192, amplitude: 0.05) * 1_048_576).rounded()
            },
            World.Metric(id: "rabbitmq.queue.messages", prometheusName: "rabbitmq_queue_messages") { labels, at in
                guard let queue = labels["rabbitmq.queue.name"] else { return nil }
                return wave(queue, at: at, base: 10, spread: 500, amplitude: 0.5).rounded()
            },
        ]
    }

    /// `base + spread * seed(key)`, modulated by ±`amplitude` over a 600 s period with a
    /// per-key phase. Deterministic across processes (no `hashValue`).
    static func wave(_ key: String, at: Date, base: Double, spread: Double, amplitude: Double) -> Double {
        let seed = stableFraction(key)
        let level = base + spread * seed
        let phase = 2 * Double.pi * (at.timeIntervalSince1970 / 600 + seed)
        return level * (1 + amplitude * sin(phase))
    }

    /// FNV-1a of the UTF-8 bytes, scaled into `0..<1`.
    static func stableFraction(_ key: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Double(hash % 1_000_003) / 1_000_003
    }
}
