import Foundation

/// Turns a parsed document into a `MetricMapping`, strictly: unknown fields, wrong
/// types and semantic problems are all reported, with field paths, in one pass.
public enum MappingDecoder {
    static let topLevelFields: Set<String> = ["apiVersion", "kind", "metadata", "spec", "status"]
    static let specFields: Set<String> = [
        "metricName", "sysdig", "promql", "objects", "external", "externalScope", "window", "noData", "multiplier",
        "cacheTTL",
    ]
    static let sysdigFields: Set<String> = ["metric", "timeAggregation", "groupAggregation", "scope"]
    static let promqlFields: Set<String> = ["query"]
    static let objectFields: Set<String> = ["resource", "label"]
    static let noDataFields: Set<String> = ["policy", "value"]

    /// Decodes and validates one mapping document.
    ///
    /// - Parameter defaultNamespace: namespace for a `SysdigMetricMapping` whose
    ///   metadata has none (files mode uses `default`, like `kubectl apply`).
    public static func decode(
        _ document: JSONValue, defaultNamespace: String? = "default"
    ) -> Result<MetricMapping, MappingDecodingError> {
        var reader = StrictReader()
        guard let top = reader.object(document, at: "", allowed: topLevelFields) else {
            let message = document == .null ? "empty document" : "expected an object, got \(document.typeDescription)"
            return .failure(MappingDecodingError(key: nil, problems: [FieldProblem("", message)]))
        }
        let kind = decodeKind(top, reader: &reader)
        let metadata = decodeMetadata(top["metadata"], kind: kind, defaultNamespace: defaultNamespace, reader: &reader)
        let key = metadata.flatMap { meta in kind.map { MappingKey(kind: $0, namespace: meta.namespace, name: meta.name) } }
        let spec = decodeSpec(top["spec"], reader: &reader)
        var problems = reader.problems
        if let spec {
            let broken = reader.brokenPaths
            problems += MappingValidator.validate(spec, kind: kind).filter { problem in
                !broken.contains { problem.path == $0 || problem.path.hasPrefix($0 + ".") || problem.path.hasPrefix($0 + "[") }
            }
        }
        guard problems.isEmpty, let kind, let metadata, let spec else {
            return .failure(MappingDecodingError(key: key, problems: problems))
        }
        return .success(MetricMapping(kind: kind, metadata: metadata, spec: spec))
    }

    private static func decodeKind(_ top: [String: JSONValue], reader: inout StrictReader) -> MappingKind? {
        let apiVersion = reader.requiredString(top, "apiVersion", at: "")
        if let apiVersion, apiVersion != MappingKind.apiVersion {
            reader.report("apiVersion", "\"\(apiVersion)\" is not supported (expected \"\(MappingKind.apiVersion)\")")
        }
        guard let kindName = reader.requiredString(top, "kind", at: "") else { return nil }
        guard let kind = MappingKind(rawValue: kindName) else {
            let expected = MappingKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            reader.report("kind", "\"\(kindName)\" is not a mapping kind (expected \(expected))")
            return nil
        }
        return kind
    }

    /// Metadata is read leniently (the API server adds many fields we do not use),
    /// but name and namespace are checked.
    static func decodeMetadata(
        _ value: JSONValue?, kind: MappingKind?, defaultNamespace: String?, reader: inout StrictReader
    ) -> ObjectMeta? {
        guard let value else {
            reader.report("metadata", "required field is missing")
            return nil
        }
        guard case .object(let fields) = value else {
            reader.report("metadata", "expected an object, got \(value.typeDescription)")
            return nil
        }
        guard let name = reader.requiredString(fields, "name", at: "metadata") else { return nil }
        if !isDNSSubdomain(name) {
            reader.report("metadata.name", "\"\(name)\" is not a valid object name (lowercase DNS subdomain)")
        }
        var namespace = reader.string(fields, "namespace", at: "metadata")
        switch kind {
        case .cluster:
            if namespace != nil {
                reader.report("metadata.namespace", "must not be set on a cluster-scoped ClusterSysdigMetricMapping")
            }
            namespace = nil
        case .namespaced:
            namespace = namespace ?? defaultNamespace
            if namespace == nil { reader.report("metadata.namespace", "required field is missing") }
        case nil:
            break
        }
        var creation: Date?
        if let stamp = reader.string(fields, "creationTimestamp", at: "metadata") {
            creation = KubeTime.parse(stamp)
            if creation == nil { reader.report("metadata.creationTimestamp", "\"\(stamp)\" is not an RFC 3339 time") }
        }
        var generation: Int64?
        if let number = reader.number(fields, "generation", at: "metadata") { generation = Int64(exactly: number) }
        return ObjectMeta(
            name: name, namespace: namespace, uid: reader.string(fields, "uid", at: "metadata"),
            resourceVersion: reader.string(fields, "resourceVersion", at: "metadata"),
            generation: generation, creationTimestamp: creation,
            labels: reader.stringMap(fields, "labels", at: "metadata"),
            annotations: reader.stringMap(fields, "annotations", at: "metadata"))
    }

    private static func decodeSpec(_ value: JSONValue?, reader: inout StrictReader) -> MappingSpec? {
        guard value != nil else {
            reader.report("spec", "required field is missing")
            return nil
        }
        guard let fields = reader.object(value, at: "spec", allowed: specFields) else { return nil }
        let metricName = reader.requiredString(fields, "metricName", at: "spec") ?? ""
        let backend = decodeBackend(fields, reader: &reader)
        var objects: [ObjectTarget] = []
        for (index, item) in (reader.array(fields, "objects", at: "spec") ?? []).enumerated() {
            let path = "spec.objects[\(index)]"
            guard let entry = reader.object(item, at: path, allowed: objectFields) else {
                if item == .null { reader.report(path, "expected an object, got null") }
                continue
            }
            guard let resource = reader.requiredString(entry, "resource", at: path) else { continue }
            objects.append(ObjectTarget(resource: resource, label: reader.string(entry, "label", at: path)))
        }
        return MappingSpec(
            metricName: metricName,
            backend: backend ?? .sysdig(SysdigBackendSpec(metric: "")),
            objects: objects,
            external: reader.bool(fields, "external", at: "spec") ?? false,
            externalScope: decodeExternalScope(fields, reader: &reader),
            window: reader.duration(fields, "window", at: "spec") ?? MappingSpec.defaultWindow,
            noData: decodeNoData(fields["noData"], reader: &reader),
            multiplier: reader.number(fields, "multiplier", at: "spec"),
            cacheTTL: reader.duration(fields, "cacheTTL", at: "spec"))
    }

    private static func decodeExternalScope(_ spec: [String: JSONValue], reader: inout StrictReader) -> ExternalScope? {
        guard let text = reader.string(spec, "externalScope", at: "spec") else { return nil }
        guard let scope = ExternalScope(rawValue: text) else {
            let allowed = ExternalScope.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            reader.report("spec.externalScope", "\"\(text)\" is not \(allowed)")
            return nil
        }
        return scope
    }

    /// Exactly one of `spec.sysdig` and `spec.promql`.
    private static func decodeBackend(_ spec: [String: JSONValue], reader: inout StrictReader) -> MappingBackend? {
        let hasSysdig = spec["sysdig"] != nil && spec["sysdig"] != .null
        let hasPromQL = spec["promql"] != nil && spec["promql"] != .null
        switch (hasSysdig, hasPromQL) {
        case (true, true):
            reader.report(
                "spec.promql",
                "must not be set together with spec.sysdig: a mapping has exactly one backend (sysdig for the Data API, promql for a PromQL query)")
            return decodeSysdig(spec["sysdig"], reader: &reader).map(MappingBackend.sysdig)
        case (false, false):
            reader.report(
                "spec.sysdig",
                "required field is missing (it names the Sysdig metric behind the alias); or set spec.promql to use a PromQL query instead")
            return nil
        case (true, false):
            return decodeSysdig(spec["sysdig"], reader: &reader).map(MappingBackend.sysdig)
        case (false, true):
            // On a broken spec.promql the empty query's own problem is filtered as already reported.
            let fields = reader.object(spec["promql"], at: "spec.promql", allowed: promqlFields)
            let query = fields.flatMap { reader.requiredString($0, "query", at: "spec.promql") }
            return .promql(PromQLBackendSpec(query: query ?? ""))
        }
    }

    private static func decodeSysdig(_ value: JSONValue?, reader: inout StrictReader) -> SysdigBackendSpec? {
        guard let fields = reader.object(value, at: "spec.sysdig", allowed: sysdigFields) else { return nil }
        return SysdigBackendSpec(
            metric: reader.requiredString(fields, "metric", at: "spec.sysdig") ?? "",
            timeAggregation: reader.string(fields, "timeAggregation", at: "spec.sysdig")
                ?? SysdigBackendSpec.defaultTimeAggregation,
            groupAggregation: reader.string(fields, "groupAggregation", at: "spec.sysdig")
                ?? SysdigBackendSpec.defaultGroupAggregation,
            scope: reader.string(fields, "scope", at: "spec.sysdig"))
    }

    private static func decodeNoData(_ value: JSONValue?, reader: inout StrictReader) -> NoDataPolicy {
        guard let fields = reader.object(value, at: "spec.noData", allowed: noDataFields) else { return .error }
        let policy = reader.string(fields, "policy", at: "spec.noData") ?? "error"
        let number = reader.number(fields, "value", at: "spec.noData")
        switch policy {
        case "error":
            if number != nil { reader.report("spec.noData.value", "must not be set when policy is \"error\"") }
            return .error
        case "value":
            guard let number else {
                if fields["value"] == nil { reader.report("spec.noData.value", "required when policy is \"value\"") }
                return .error
            }
            guard number.isFinite else {
                reader.report("spec.noData.value", "must be a finite number")
                return .error
            }
            return .value(number)
        default:
            reader.report("spec.noData.policy", "\"\(policy)\" is not one of \"error\", \"value\"")
            return .error
        }
    }

    static func isDNSSubdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            KubeResource.isDNSLabel(String($0))
        }
    }
}
