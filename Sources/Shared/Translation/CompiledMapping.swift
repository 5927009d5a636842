/// A validated mapping compiled once into everything a query needs: resolved
/// resources and labels, the parsed scope, the value metric. Immutable, so the
/// request path shares it without locks.
public struct CompiledMapping: Sendable, Hashable {
    /// One resource the alias describes and the Sysdig label naming its objects.
    public struct Target: Sendable, Hashable {
        public let resource: KubeResource
        /// Data API: `kubernetes.pod.name`; PromQL: `kube_pod_name`.
        public let label: String
        /// PromQL only: the `kube_workload_type` matched along with `kube_workload_name`.
        public let workloadType: String?

        public init(resource: KubeResource, label: String, workloadType: String? = nil) {
            self.resource = resource
            self.label = label
            self.workloadType = workloadType
        }

        /// PromQL: the label carrying Kubernetes label `key` of these objects:
        /// `kube_pod_label_app` for `app` when the object label is `kube_pod_name`. Workloads
        /// share `kube_workload_name`, but Sysdig has no `kube_workload_label_*`: their labels
        /// are per kind, `kube_deployment_label_app` (docs/sysdig-api.md).
        public func promQLSelectorLabel(for key: String) -> String? {
            let sanitized = PromQLLiteral.sanitizedLabelName(key)
            if let workloadType {
                guard PromQLLiteral.isLabelName(workloadType) else { return nil }
                return "kube_\(workloadType)_label_" + sanitized
            }
            guard label.hasSuffix("_name"), label != "kube_workload_name" else { return nil }
            return String(label.dropLast("name".count)) + "label_" + sanitized
        }

        /// Prefix for object labels in selector queries: `kubernetes.pod` for
        /// `kubernetes.pod.name`, so `app=web` becomes `kubernetes.pod.label.app`.
        public var selectorLabelPrefix: String? {
            label.hasSuffix(".name") ? String(label.dropLast(".name".count)) + ".label." : nil
        }
    }

    public let key: MappingKey
    public let metadata: ObjectMeta

    /// Whether an external query is narrowed to the requesting namespace: always for a
    /// `SysdigMetricMapping`, and for a cluster mapping unless `externalScope: cluster`.
    public var scopesExternalQueriesToNamespace: Bool {
        key.kind == .namespaced || (spec.externalScope ?? .namespace) == .namespace
    }
    public let spec: MappingSpec
    public let targets: [Target]
    /// The compiled backend.
    public let backend: Backend

    /// What the backend needs per query.
    public enum Backend: Sendable, Hashable {
        /// Data API: the parsed extra scope and the value metric.
        case data(scope: ScopeExpression, valueMetric: SysdigDataRequest.Metric)
        /// Prometheus-compatible API: the parsed template.
        case promql(PromQLTemplate)
    }

    /// The extra scope of a Data API mapping (empty for PromQL).
    public var scope: ScopeExpression {
        if case .data(let scope, _) = backend { return scope }
        return ScopeExpression()
    }

    public var alias: String { spec.metricName }
    public var windowSeconds: Int { spec.window.seconds }

    /// Validates and compiles a mapping.
    public static func compile(_ mapping: MetricMapping) -> Result<CompiledMapping, MappingDecodingError> {
        let problems = MappingValidator.validate(mapping.spec, kind: mapping.key.kind)
        guard problems.isEmpty else { return .failure(MappingDecodingError(key: mapping.key, problems: problems)) }
        switch mapping.spec.backend {
        case .sysdig(let sysdig):
            do {
                let scope = try ScopeExpression.parse(sysdig.scope ?? "")
                var targets: [Target] = []
                for object in mapping.spec.objects {
                    guard let resource = KubeResource.lookup(object.resource),
                        let label = object.label ?? resource.defaultSysdigLabel
                    else { continue }
                    targets.append(Target(resource: resource, label: label))
                }
                return .success(CompiledMapping(
                    key: mapping.key, metadata: mapping.metadata, spec: mapping.spec, targets: targets,
                    backend: .data(scope: scope, valueMetric: .init(
                        id: sysdig.metric,
                        aggregations: .init(time: sysdig.timeAggregation, group: sysdig.groupAggregation)))))
            } catch {
                return .failure(MappingDecodingError(
                    key: mapping.key, problems: [FieldProblem("spec.sysdig.scope", error.description)]))
            }
        case .promql(let promql):
            do {
                let template = try PromQLTemplate.parse(promql.query)
                var targets: [Target] = []
                for object in mapping.spec.objects {
                    guard let resource = KubeResource.lookup(object.resource) else { continue }
                    if let label = object.label {
                        targets.append(Target(resource: resource, label: label))
                    } else if let known = resource.defaultPromQLLabel {
                        targets.append(Target(resource: resource, label: known.label, workloadType: known.workloadType))
                    }
                }
                return .success(CompiledMapping(
                    key: mapping.key, metadata: mapping.metadata, spec: mapping.spec, targets: targets,
                    backend: .promql(template)))
            } catch {
                return .failure(MappingDecodingError(
                    key: mapping.key, problems: [FieldProblem("spec.promql.query", error.description)]))
            }
        }
    }

    /// The target for a resource, matching `deployments` and `deployments.apps` alike.
    public func target(for resource: KubeResource) -> Target? {
        targets.first { $0.resource.groupResource == resource.groupResource }
    }
}
