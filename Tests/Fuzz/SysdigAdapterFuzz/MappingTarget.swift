import Foundation
import Shared

/// Mapping files as `validate` and `serve` read them: YAML decoding, strict mapping
/// decoding, compiling into a snapshot, then translating an object, a selector and an
/// external query for every mapping that came out ready. Nothing may trap, and every
/// document of a fully valid file must be ready or conflicting, never lost.
enum MappingTarget {
    static let translator = QueryTranslator(clusterName: "prod")
    static let selector = (try? LabelSelector.parse("app=web,tier in (front,back)")) ?? LabelSelector()
    static let metricSelector = (try? LabelSelector.parse("queue=orders")) ?? LabelSelector()

    static func run(_ data: Data) throws(InvariantViolation) {
        let text = String(decoding: data, as: UTF8.self)
        let content = MappingFileLoader.parse(text: text, file: "fuzz.yaml")
        guard case .success(let documents) = content.documents else { return }
        var mappings: [(mapping: MetricMapping, origin: String?)] = []
        for document in documents {
            try require(document.line >= 1, "document \(document.index) has line \(document.line)")
            if case .success(let mapping) = document.result { mappings.append((mapping, "fuzz.yaml")) }
        }
        let snapshot = ConfigSnapshot.build(version: 1, mappings: mappings)
        for mapping in mappings {
            try require(snapshot.entries[mapping.mapping.key] != nil, "mapping \(mapping.mapping.key) missing from the snapshot")
        }
        for mapping in snapshot.readyMappings {
            try require(
                snapshot.resolve(alias: mapping.alias, namespace: mapping.metadata.namespace ?? "default") != nil,
                "ready mapping \(mapping.key) does not resolve")
            for target in mapping.targets {
                let namespace = target.resource.namespaced ? (mapping.metadata.namespace ?? "default") : nil
                translate(MetricQuery(
                    alias: mapping.alias, target: .object(resource: target.resource, namespace: namespace, name: "web-1"),
                    metricSelector: metricSelector), mapping)
                translate(MetricQuery(
                    alias: mapping.alias, target: .selector(resource: target.resource, namespace: namespace, selector: selector)),
                    mapping)
            }
            if mapping.spec.external {
                translate(MetricQuery(
                    alias: mapping.alias, target: .external(namespace: mapping.metadata.namespace ?? "default"),
                    metricSelector: metricSelector), mapping)
            }
        }
    }

    static func translate(_ query: MetricQuery, _ mapping: CompiledMapping) {
        guard let plan = try? translator.plan(for: query, mapping: mapping) else { return }
        _ = plan.request(page: 2)
        _ = try? plan.request?.encodedBody()
        _ = plan.promQLRequest?.pathAndQuery(time: Date(timeIntervalSince1970: 1_700_000_000))
    }
}
