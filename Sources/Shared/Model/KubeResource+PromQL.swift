/// How a PromQL backend names one object of a resource: the label, and for
/// workloads the `kube_workload_type` value that goes with `kube_workload_name`.
public struct PromQLObjectLabel: Sendable, Hashable {
    /// e.g. `kube_pod_name`, `kube_workload_name`.
    public let label: String
    /// e.g. `deployment` (matched as `kube_workload_type="deployment"`); nil when not a workload.
    public let workloadType: String?

    public init(label: String, workloadType: String? = nil) {
        self.label = label
        self.workloadType = workloadType
    }
}

extension KubeResource {
    /// Sysdig's Prometheus label naming one object of this resource
    /// (docs/sysdig-api.md, "Prometheus-compatible API", Labels).
    public static let promQLLabels: [String: PromQLObjectLabel] = [
        "pods": .init(label: "kube_pod_name"),
        "services": .init(label: "kube_service_name"),
        "namespaces": .init(label: "kube_namespace_name"),
        "nodes": .init(label: "kube_node_name"),
        "deployments.apps": .init(label: "kube_workload_name", workloadType: "deployment"),
        "statefulsets.apps": .init(label: "kube_workload_name", workloadType: "statefulset"),
        "daemonsets.apps": .init(label: "kube_workload_name", workloadType: "daemonset"),
        "replicasets.apps": .init(label: "kube_replicaset_name"),
        "jobs.batch": .init(label: "kube_job_name"),
    ]

    /// The default PromQL object label, when we know one.
    public var defaultPromQLLabel: PromQLObjectLabel? { Self.promQLLabels[groupResource] }
}
