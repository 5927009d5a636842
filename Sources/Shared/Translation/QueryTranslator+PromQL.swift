extension QueryTranslator {
    /// The cluster label Sysdig's Prometheus API uses.
    public static let promQLClusterLabel = "kube_cluster_name"
    /// The namespace label Sysdig's Prometheus API uses.
    public static let promQLNamespaceLabel = "kube_namespace_name"

    /// Fills a PromQL template. Matchers, in order: cluster, namespace, the object
    /// (name, or the selector's terms on `<object>_label_<key>`; workloads add
    /// `kube_workload_type`), then the metric label selector. The result is parsed
    /// again before it is sent.
    func promQLPlan(
        for query: MetricQuery, mapping: CompiledMapping, template: PromQLTemplate
    ) throws(TranslationError) -> SysdigQueryPlan {
        var matchers: [PromQLMatcher] = []
        if let clusterName { matchers.append(PromQLMatcher(Self.promQLClusterLabel, .equal, clusterName)) }
        var groupBy: [String] = []
        var segmentLabel: String?
        switch query.target {
        case .object(let resource, let namespace, let name):
            let target = try covered(resource, by: mapping)
            if resource.namespaced, let namespace {
                matchers.append(PromQLMatcher(Self.promQLNamespaceLabel, .equal, namespace))
            }
            matchers += Self.objectMatchers(target)
            matchers.append(PromQLMatcher(target.label, .equal, name))
            groupBy = [target.label]
        case .selector(let resource, let namespace, let selector):
            let target = try covered(resource, by: mapping)
            if resource.namespaced, let namespace {
                matchers.append(PromQLMatcher(Self.promQLNamespaceLabel, .equal, namespace))
            }
            matchers += Self.objectMatchers(target)
            for requirement in selector.requirements {
                guard let label = target.promQLSelectorLabel(for: requirement.key) else {
                    throw TranslationError(
                        code: .unsupportedSelector,
                        message: "label selectors are not supported for \(target.resource.groupResource): its Prometheus label \(target.label) does not end in _name")
                }
                matchers.append(try Self.matcher(requirement, label: label, selector: selector))
            }
            groupBy = [target.label]
            segmentLabel = target.label
        case .external(let namespace):
            guard mapping.spec.external else {
                throw TranslationError(
                    code: .notExternal, message: "metric \(mapping.alias) is not served as an external metric")
            }
            if mapping.scopesExternalQueriesToNamespace {
                matchers.append(PromQLMatcher(Self.promQLNamespaceLabel, .equal, namespace))
            }
        }
        // A namespaced mapping reads its own namespace only, whatever the resource.
        if mapping.key.kind == .namespaced, let own = mapping.key.namespace,
            !matchers.contains(where: { $0.name == Self.promQLNamespaceLabel })
        {
            matchers.append(PromQLMatcher(Self.promQLNamespaceLabel, .equal, own))
        }
        try Self.refuseReserved(query.metricSelector, Self.reservedPromQLLabels)
        for requirement in query.metricSelector.requirements {
            guard PromQLLiteral.isLabelName(requirement.key) else {
                throw TranslationError(
                    code: .unsupportedSelector,
                    message: "selector \"\(query.metricSelector)\": \(requirement.key) is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)")
            }
            matchers.append(try Self.matcher(requirement, label: requirement.key, selector: query.metricSelector))
        }
        let text = template.render(.init(
            labelMatchers: matchers.map(\.rendered), groupBy: groupBy,
            window: PromQLLiteral.duration(milliseconds: mapping.spec.window.milliseconds)))
        do {
            _ = try PromQLParser.parse(text)
        } catch {
            throw TranslationError(
                code: .invalidQuery, message: "the PromQL query of \(mapping.key) does not parse for this request: \(error)")
        }
        return SysdigQueryPlan(
            backendRequest: .promql(PromQLRequest(query: text)), segmentLabel: segmentLabel,
            windowSeconds: mapping.windowSeconds, multiplier: mapping.spec.multiplier, noData: mapping.spec.noData)
    }

    private static func objectMatchers(_ target: CompiledMapping.Target) -> [PromQLMatcher] {
        target.workloadType.map { [PromQLMatcher("kube_workload_type", .equal, $0)] } ?? []
    }

    /// Kubernetes selector requirements as matchers; PromQL can express all but `>`/`<`.
    private static func matcher(
        _ requirement: LabelSelector.Requirement, label: String, selector: LabelSelector
    ) throws(TranslationError) -> PromQLMatcher {
        let values = requirement.values
        switch requirement.op {
        case .equals: return PromQLMatcher(label, .equal, values.first ?? "")
        case .notEquals: return PromQLMatcher(label, .notEqual, values.first ?? "")
        case .in: return PromQLMatcher(label, .regexMatch, values.map(PromQLLiteral.regexQuoteMeta).joined(separator: "|"))
        case .notIn:
            return PromQLMatcher(label, .regexNoMatch, values.map(PromQLLiteral.regexQuoteMeta).joined(separator: "|"))
        case .exists: return PromQLMatcher(label, .notEqual, "")
        case .doesNotExist: return PromQLMatcher(label, .equal, "")
        case .greaterThan, .lessThan:
            throw TranslationError(
                code: .unsupportedSelector,
                message: "selector \"\(selector)\": the requirement on \(requirement.key) cannot be expressed as a PromQL matcher (use =, !=, in, notin, exists or !)")
        }
    }
}
