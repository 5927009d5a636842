import Foundation

/// Semantic rules for a mapping spec. Returns every problem at once, never only the first.
public enum MappingValidator {
    public static let minWindow = KubeDuration(seconds: 10)
    public static let maxWindow = KubeDuration(seconds: 3600)
    public static let maxCacheTTL = KubeDuration(seconds: 600)

    /// - Parameter kind: the mapping's kind, when known: a `SysdigMetricMapping` may not
    ///   read outside its namespace (every PromQL selector carries `<<.LabelMatchers>>`,
    ///   no `externalScope: cluster`).
    public static func validate(_ spec: MappingSpec, kind: MappingKind? = nil) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        problems += validateMetricName(spec.metricName)
        switch spec.backend {
        case .sysdig(let sysdig): problems += validateSysdig(sysdig)
        case .promql(let promql): problems += validatePromQL(promql, external: spec.external, kind: kind)
        }
        if let scope = spec.externalScope {
            if !spec.external {
                problems.append(FieldProblem("spec.externalScope", "applies only to external metrics (spec.external: true)"))
            } else if scope == .cluster, kind == .namespaced {
                problems.append(FieldProblem(
                    "spec.externalScope",
                    "\"cluster\" would read other namespaces' series; only a ClusterSysdigMetricMapping may serve cluster-wide external series"))
            }
        }
        problems += validateObjects(spec.objects, external: spec.external, promql: spec.promql != nil)
        problems += validateWindow(spec.window)
        if let multiplier = spec.multiplier, !multiplier.isFinite || multiplier == 0 {
            problems.append(FieldProblem("spec.multiplier", "must be a finite, non-zero number"))
        }
        if let ttl = spec.cacheTTL {
            if ttl.milliseconds < 0 || ttl > maxCacheTTL || ttl.milliseconds % 1000 != 0 {
                problems.append(FieldProblem("spec.cacheTTL", "\(ttl) must be whole seconds between 0s and \(maxCacheTTL)"))
            }
        }
        return problems
    }

    /// Alias names: what an HPA can put in `metric.name` and a URL path segment can carry.
    public static func isValidAlias(_ name: String) -> Bool {
        guard let first = name.first, name.count <= 200, first.isASCII, first.isLetter || first == "_" else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.:-".contains($0)) }
    }

    static func validateMetricName(_ name: String) -> [FieldProblem] {
        if name.isEmpty { return [FieldProblem("spec.metricName", "must not be empty")] }
        guard isValidAlias(name) else {
            return [FieldProblem(
                "spec.metricName",
                "\"\(name)\" is not a valid alias (start with a letter or _, then letters, digits, _ . : -; at most 200)")]
        }
        return []
    }

    static func validateSysdig(_ sysdig: SysdigBackendSpec) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if sysdig.metric.isEmpty {
            problems.append(FieldProblem("spec.sysdig.metric", "must not be empty"))
        } else if !isValidSysdigLabel(sysdig.metric) {
            problems.append(FieldProblem("spec.sysdig.metric", "\"\(sysdig.metric)\" is not a valid Sysdig metric id"))
        }
        if !SysdigBackendSpec.timeAggregations.contains(sysdig.timeAggregation) {
            problems.append(FieldProblem(
                "spec.sysdig.timeAggregation",
                "\"\(sysdig.timeAggregation)\" is not one of \(SysdigBackendSpec.timeAggregations.joined(separator: ", "))"))
        }
        if !SysdigBackendSpec.groupAggregations.contains(sysdig.groupAggregation) {
            problems.append(FieldProblem(
                "spec.sysdig.groupAggregation",
                "\"\(sysdig.groupAggregation)\" is not one of \(SysdigBackendSpec.groupAggregations.joined(separator: ", "))"))
        }
        if let scope = sysdig.scope {
            do {
                _ = try ScopeExpression.parse(scope)
            } catch {
                problems.append(FieldProblem("spec.sysdig.scope", error.description))
            }
        }
        return problems
    }

    /// The template must parse (with a position on failure); for external metrics it
    /// must also stay valid when there is nothing to match on.
    static func validatePromQL(_ promql: PromQLBackendSpec, external: Bool, kind: MappingKind? = nil) -> [FieldProblem] {
        let path = "spec.promql.query"
        guard !promql.query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return [FieldProblem(path, "must not be empty")]
        }
        let template: PromQLTemplate
        do {
            template = try PromQLTemplate.parse(promql.query)
        } catch {
            return [FieldProblem(path, error.description)]
        }
        if kind == .namespaced, !template.unscopedSelectors.isEmpty {
            // Tenant isolation: `sum(x{<<.LabelMatchers>>})*0 + sum(y{kube_namespace_name="other"})`
            // would read another namespace with the adapter's token.
            return template.unscopedSelectors.map { selector in
                FieldProblem(path, "\(selector.line):\(selector.column): \(selector.message); a SysdigMetricMapping reads only its own namespace, so every selector must carry <<.LabelMatchers>> (e.g. metric{<<.LabelMatchers>>})")
            }
        }
        if external {
            do {
                try template.checkRendering(.init(labelMatchers: [], groupBy: [], window: "1m"))
            } catch {
                return [FieldProblem(
                    path,
                    "an external query with no cluster name and no metric selector has no label matchers, and then the template is invalid: \(error.description)")]
            }
        }
        return []
    }

    static func validateObjects(_ objects: [ObjectTarget], external: Bool, promql: Bool = false) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if objects.isEmpty && !external {
            problems.append(FieldProblem(
                "spec.objects", "at least one object resource is required unless spec.external is true"))
        }
        var seen: [String: Int] = [:]
        for (index, object) in objects.enumerated() {
            let path = "spec.objects[\(index)]"
            guard let resource = KubeResource.lookup(object.resource) else {
                problems.append(FieldProblem(
                    "\(path).resource",
                    "\"\(object.resource)\" is not a known resource; write it as resource.group (e.g. rollouts.argoproj.io) and set label"))
                continue
            }
            if let previous = seen[resource.groupResource] {
                problems.append(FieldProblem(
                    "\(path).resource", "\(resource.groupResource) is already listed in spec.objects[\(previous)]"))
            }
            seen[resource.groupResource] = index
            if promql {
                if let label = object.label {
                    if !PromQLLiteral.isLabelName(label) {
                        problems.append(FieldProblem(
                            "\(path).label", "\"\(label)\" is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)"))
                    }
                } else if resource.defaultPromQLLabel == nil {
                    problems.append(FieldProblem(
                        "\(path).label", "required for \(resource.groupResource): there is no default Prometheus label for it"))
                }
            } else if let label = object.label {
                if !isValidSysdigLabel(label) {
                    problems.append(FieldProblem("\(path).label", "\"\(label)\" is not a valid Sysdig label"))
                }
            } else if resource.defaultSysdigLabel == nil {
                problems.append(FieldProblem(
                    "\(path).label", "required for \(resource.groupResource): there is no default Sysdig label for it"))
            }
        }
        return problems
    }

    static func validateWindow(_ window: KubeDuration) -> [FieldProblem] {
        if window < minWindow || window > maxWindow || window.milliseconds % 10_000 != 0 {
            return [FieldProblem(
                "spec.window", "\(window) must be a multiple of 10s between \(minWindow) and \(maxWindow)")]
        }
        return []
    }

    /// Sysdig metric ids and label names: letters, digits and `_ . - / :`, starting with a letter or `_`.
    public static func isValidSysdigLabel(_ text: String) -> Bool {
        guard let first = text.first, text.count <= 256, first.isASCII, first.isLetter || first == "_" else {
            return false
        }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-/:".contains($0)) }
    }
}
