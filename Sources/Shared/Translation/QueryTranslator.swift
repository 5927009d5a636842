/// Why a query cannot be translated; the HTTP layer maps these to Kubernetes Status codes.
public struct TranslationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The alias does not describe this resource (404).
        case resourceNotCovered
        /// The alias is not served on the external API (404).
        case notExternal
        /// A selector term cannot be expressed as a Sysdig scope term or PromQL matcher (400).
        case unsupportedSelector
        /// The substituted PromQL query does not parse: a template the validator let
        /// through misbehaves with these values (500; never expected).
        case invalidQuery
    }

    public var code: Code
    public var message: String
    public var description: String { message }
}

/// Compiles requests into Sysdig queries. Data API: every value placed into the
/// filter goes through `ScopeTerm` (and so `ScopeLiteral.quote`). PromQL: every value
/// goes through `PromQLLiteral.quote`. Either way user input never changes the
/// query's structure.
public struct QueryTranslator: Sendable {
    /// Adds `kubernetes.cluster.name = '<name>'` (PromQL: `kube_cluster_name="<name>"`) to every query when set.
    public var clusterName: String?

    public init(clusterName: String? = nil) {
        self.clusterName = clusterName
    }

    public func plan(for query: MetricQuery, mapping: CompiledMapping) throws(TranslationError) -> SysdigQueryPlan {
        switch mapping.backend {
        case .data(let scope, let valueMetric):
            return try dataPlan(for: query, mapping: mapping, scope: scope, valueMetric: valueMetric, objects: nil)
        case .promql(let template):
            return try promQLPlan(for: query, mapping: mapping, template: template)
        }
    }

    /// Names per Data API request when a selector query names its objects (~10 kB of filter).
    public static let objectBatchSize = 250

    /// The plans for a selector query whose objects are known (the live pods): Data API
    /// queries name them, `objectBatchSize` per request, each with room for all of them
    /// on one page, so every object is asked for exactly once, whatever order Sysdig
    /// ranks segments in (its ranking by value shifts between pages, so paging by rank
    /// can repeat or skip objects). PromQL answers come whole: one plan, as `plan(for:mapping:)`.
    public func plans(
        for query: MetricQuery, mapping: CompiledMapping, objects: [String]
    ) throws(TranslationError) -> [SysdigQueryPlan] {
        guard case .data(let scope, let valueMetric) = mapping.backend, case .selector = query.target, !objects.isEmpty else {
            return [try plan(for: query, mapping: mapping)]
        }
        var plans: [SysdigQueryPlan] = []
        var start = 0
        while start < objects.count {
            let batch = Array(objects[start..<min(objects.count, start + Self.objectBatchSize)])
            plans.append(try dataPlan(for: query, mapping: mapping, scope: scope, valueMetric: valueMetric, objects: batch))
            start += Self.objectBatchSize
        }
        return plans
    }

    private func dataPlan(
        for query: MetricQuery, mapping: CompiledMapping, scope: ScopeExpression, valueMetric: SysdigDataRequest.Metric,
        objects: [String]?
    ) throws(TranslationError) -> SysdigQueryPlan {
        var terms: [ScopeTerm] = []
        if let clusterName { terms.append(try term(.equals, "kubernetes.cluster.name", [clusterName])) }
        var segmentLabel: String?
        var dataSourceType: String? = "container"
        switch query.target {
        case .object(let resource, let namespace, let name):
            let target = try covered(resource, by: mapping)
            if resource.namespaced, let namespace {
                terms.append(try term(.equals, "kubernetes.namespace.name", [namespace]))
            }
            terms.append(try term(.equals, target.label, [name]))
            if resource.groupResource == "nodes" { dataSourceType = "host" }
        case .selector(let resource, let namespace, let selector):
            let target = try covered(resource, by: mapping)
            if resource.namespaced, let namespace {
                terms.append(try term(.equals, "kubernetes.namespace.name", [namespace]))
            }
            terms += try objectSelectorTerms(selector, target: target)
            if let objects { terms.append(try term(.in, target.label, objects)) }
            segmentLabel = target.label
            if resource.groupResource == "nodes" { dataSourceType = "host" }
        case .external(let namespace):
            guard mapping.spec.external else {
                throw TranslationError(
                    code: .notExternal, message: "metric \(mapping.alias) is not served as an external metric")
            }
            // The caller's namespace, always for a namespaced mapping (it only ever sees its
            // own namespace's data) and unless a cluster mapping opts out with externalScope: cluster.
            if mapping.scopesExternalQueriesToNamespace {
                terms.append(try term(.equals, "kubernetes.namespace.name", [namespace]))
            }
            dataSourceType = nil
        }
        terms += try metricSelectorTerms(query.metricSelector)
        let filter = ScopeExpression(terms: terms).and(scope)
        var metrics = [valueMetric]
        if let segmentLabel { metrics.insert(.init(id: segmentLabel), at: 0) }
        let request = SysdigDataRequest(
            last: mapping.windowSeconds, metrics: metrics, filter: filter.isEmpty ? nil : filter.rendered(),
            dataSourceType: dataSourceType,
            paging: segmentLabel == nil ? nil : .init(from: 0, to: SysdigQueryPlan.pageSize - 1))
        return SysdigQueryPlan(
            request: request, segmentLabel: segmentLabel, windowSeconds: mapping.windowSeconds,
            multiplier: mapping.spec.multiplier, noData: mapping.spec.noData)
    }

    func covered(_ resource: KubeResource, by mapping: CompiledMapping) throws(TranslationError) -> CompiledMapping.Target {
        guard let target = mapping.target(for: resource) else {
            let served = mapping.targets.map(\.resource.groupResource).joined(separator: ", ")
            throw TranslationError(
                code: .resourceNotCovered,
                message: "metric \(mapping.alias) does not describe \(resource.groupResource)"
                    + (served.isEmpty ? "" : " (it describes \(served))"))
        }
        return target
    }

    /// Kubernetes object labels become `<kind prefix>.label.<key>` terms.
    private func objectSelectorTerms(
        _ selector: LabelSelector, target: CompiledMapping.Target
    ) throws(TranslationError) -> [ScopeTerm] {
        guard !selector.isEmpty else { return [] }
        guard let prefix = target.selectorLabelPrefix else {
            throw TranslationError(
                code: .unsupportedSelector,
                message: "label selectors are not supported for \(target.resource.groupResource): its Sysdig label \(target.label) does not end in .name")
        }
        var terms: [ScopeTerm] = []
        for requirement in selector.requirements {
            terms.append(try selectorTerm(requirement, label: prefix + requirement.key, selector: selector))
        }
        return terms
    }

    /// Labels only the adapter sets: a caller naming them would pick another namespace's
    /// (or cluster's) data after an authorization check for its own.
    public static let reservedDataLabels: Set<String> = ["kubernetes.namespace.name", "kubernetes.cluster.name"]
    public static let reservedPromQLLabels: Set<String> = [promQLNamespaceLabel, promQLClusterLabel]

    static func refuseReserved(_ selector: LabelSelector, _ reserved: Set<String>) throws(TranslationError) {
        if let key = selector.requirements.map(\.key).first(where: reserved.contains) {
            throw TranslationError(
                code: .unsupportedSelector,
                message: "selector \"\(selector)\": \(key) is set by the adapter (the request's namespace and the adapter's cluster) and cannot be chosen in a selector")
        }
    }

    /// Metric selector keys are Sysdig labels already.
    private func metricSelectorTerms(_ selector: LabelSelector) throws(TranslationError) -> [ScopeTerm] {
        try Self.refuseReserved(selector, Self.reservedDataLabels)
        var terms: [ScopeTerm] = []
        for requirement in selector.requirements {
            terms.append(try selectorTerm(requirement, label: requirement.key, selector: selector))
        }
        return terms
    }

    private func selectorTerm(
        _ requirement: LabelSelector.Requirement, label: String, selector: LabelSelector
    ) throws(TranslationError) -> ScopeTerm {
        switch requirement.op {
        case .equals: return try term(.equals, label, requirement.values)
        case .notEquals: return try term(.notEquals, label, requirement.values)
        case .in: return try term(.in, label, requirement.values)
        case .notIn: return try term(.in, label, requirement.values, negated: true)
        case .exists, .doesNotExist, .greaterThan, .lessThan:
            throw TranslationError(
                code: .unsupportedSelector,
                message: "selector \"\(selector)\": the requirement on \(requirement.key) cannot be expressed in a Sysdig scope (use =, !=, in or notin)")
        }
    }

    private func term(
        _ op: ScopeOperator, _ label: String, _ values: [String], negated: Bool = false
    ) throws(TranslationError) -> ScopeTerm {
        do {
            return try ScopeTerm(label: label, op: op, values: values, negated: negated)
        } catch {
            throw TranslationError(code: .unsupportedSelector, message: "cannot use \(label) in a Sysdig scope: \(error.message)")
        }
    }
}
