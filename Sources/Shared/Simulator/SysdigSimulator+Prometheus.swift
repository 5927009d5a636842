import Shared
extension SysdigSimulator.World {
    /// How dotted Sysdig labels read in the Prometheus API. Labels not listed here
    /// (and not `kubernetes.pod.label.*`) get every `.`/`-`/`/` replaced by `_`.
    public static let prometheusLabelNames: [String: String] = [
        "kubernetes.cluster.name": "kube_cluster_name",
        "kubernetes.namespace.name": "kube_namespace_name",
        "kubernetes.pod.name": "kube_pod_name",
        "kubernetes.service.name": "kube_service_name",
        "kubernetes.node.name": "kube_node_name",
        "kubernetes.deployment.name": "kube_workload_name",
        "kubernetes.statefulSet.name": "kube_workload_name",
        "kubernetes.daemonSet.name": "kube_workload_name",
        "kubernetes.replicaSet.name": "kube_replicaset_name",
        "kubernetes.job.name": "kube_job_name",
    ]

    /// The `kube_workload_type` implied by a workload label.
    static let workloadTypes: [String: String] = [
        "kubernetes.deployment.name": "deployment",
        "kubernetes.statefulSet.name": "statefulset",
        "kubernetes.daemonSet.name": "daemonset",
    ]

    /// An entity's labels as Sysdig's Prometheus API shows them:
    /// `kubernetes.deployment.name: web` becomes `kube_workload_name: web` plus
    /// `kube_workload_type: deployment`; `kubernetes.pod.label.app` becomes `kube_pod_label_app`.
    public func prometheusLabels(_ entity: [String: String]) -> [String: String] {
        var labels: [String: String] = [:]
        for (name, value) in entity {
            labels[Self.prometheusLabelName(name)] = value
            if let type = Self.workloadTypes[name] { labels["kube_workload_type"] = type }
        }
        return labels
    }

    /// The Prometheus name of one dotted label.
    public static func prometheusLabelName(_ name: String) -> String {
        if let known = prometheusLabelNames[name] { return known }
        let podLabel = "kubernetes.pod.label."
        if name.hasPrefix(podLabel) { return "kube_pod_label_" + sanitize(String(name.dropFirst(podLabel.count))) }
        return sanitize(name)
    }

    static func sanitize(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
    }
}
