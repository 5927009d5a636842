/// A validated mapping compiled once into everything a query needs: resolved
/// resources and labels, the parsed scope, the value metric. Immutable, so the
/// request path shares it without locks.
public struct CompiledMapping: Sendable, Hashable {
    /// One resource the alias describes and the Sysdig label naming its objects.
    public struct Target: Sendable, Hashable {
        public let resource: KubeResource
        public let label: String

        /// Prefix for object labels in selector queries: `kubernetes.pod` for
        /// `kubernetes.pod.name`, so `app=web` becomes `kubernetes.pod.label.app`.
        public var selectorLabelPrefix: String? {
            label.hasSuffix(".name") ? String(label.dropLast(".name".count)) + ".label." : nil
        }
    }

    public let key: MappingKey
    public let metadata: ObjectMeta
    public let spec: MappingSpec
    public let targets: [Target]
    public let scope: ScopeExpression
    public let valueMetric: SysdigDataRequest.Metric

    public var alias: String { spec.metricName }
    public var windowSeconds: Int { spec.window.seconds }

    /// Validates and compiles a mapping.
    public static func compile(_ mapping: MetricMapping) -> Result<CompiledMapping, MappingDecodingError> {
        let problems = MappingValidator.validate(mapping.spec)
        guard problems.isEmpty else { return .failure(MappingDecodingError(key: mapping.key, problems: problems)) }
        do {
            let scope = try ScopeExpression.parse(mapping.spec.sysdig.scope ?? "")
            var targets: [Target] = []
            for object in mapping.spec.objects {
                guard let resource = KubeResource.lookup(object.resource),
                    let label = object.label ?? resource.defaultSysdigLabel
                else { continue }
                targets.append(Target(resource: resource, label: label))
            }
            let sysdig = mapping.spec.sysdig
            return .success(CompiledMapping(
                key: mapping.key, metadata: mapping.metadata, spec: mapping.spec, targets: targets, scope: scope,
                valueMetric: .init(
                    id: sysdig.metric,
                    aggregations: .init(time: sysdig.timeAggregation, group: sysdig.groupAggregation))))
        } catch {
            return .failure(MappingDecodingError(
                key: mapping.key, problems: [FieldProblem("spec.sysdig.scope", error.description)]))
        }
    }

    /// The target for a resource, matching `deployments` and `deployments.apps` alike.
    public func target(for resource: KubeResource) -> Target? {
        targets.first { $0.resource.groupResource == resource.groupResource }
    }
}
