/// One question an HPA (or `kubectl get --raw`) asks the metrics API, parsed from its path.
public struct MetricQuery: Sendable, Hashable {
    /// What the question is about.
    public enum Target: Sendable, Hashable {
        /// `/namespaces/{ns}/{resource}/{name}/{m}`, `/{resource}/{name}/{m}`,
        /// and `/namespaces/{ns}/metrics/{m}` (resource `namespaces`, name `{ns}`).
        case object(resource: KubeResource, namespace: String?, name: String)
        /// `.../{resource}/*/{m}?labelSelector=...`
        case selector(resource: KubeResource, namespace: String?, selector: LabelSelector)
        /// `/apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{m}?labelSelector=...`
        case external(namespace: String)
    }

    public var alias: String
    public var target: Target
    /// `metricLabelSelector` for custom metrics, `labelSelector` for external ones:
    /// terms over the metric's own (Sysdig) labels.
    public var metricSelector: LabelSelector

    public init(alias: String, target: Target, metricSelector: LabelSelector = LabelSelector()) {
        self.alias = alias
        self.target = target
        self.metricSelector = metricSelector
    }

    /// The namespace the question is about, which picks namespaced mappings.
    public var namespace: String? {
        switch target {
        case .object(let resource, let namespace, let name):
            resource.groupResource == "namespaces" ? name : namespace
        case .selector(_, let namespace, _):
            namespace
        case .external(let namespace):
            namespace
        }
    }
}
