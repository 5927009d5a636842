import Testing

@testable import Shared

private func problems(_ spec: String) -> [String] {
    let yaml = """
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: SysdigMetricMapping
        metadata: {name: web, namespace: shop}
        spec:

        """ + spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    let content = MappingFileLoader.parse(text: yaml, file: "test.yaml")
    guard case .success(let documents) = content.documents, let first = documents.first else {
        Issue.record("YAML did not parse: \(content.documents)")
        return ["unparsable"]
    }
    switch first.result {
    case .success: return []
    case .failure(let error): return error.problems.map(\.description)
    }
}

@Suite struct PromQLMappingDecoderTests {
    @Test func decodesAPromQLMapping() {
        #expect(problems("""
            metricName: cpu
            promql:
              query: sum by (<<.GroupBy>>) (avg_over_time(sysdig_container_cpu_used_percent{<<.LabelMatchers>>}[<<.Window>>]))
            objects: [{resource: pods}, {resource: deployments.apps}, {resource: rollouts.argoproj.io, label: kube_workload_name}]
            """) == [])
    }

    static let cases: [(String, [String])] = [
        ("""
            metricName: cpu
            sysdig: {metric: cpu.used.percent}
            promql: {query: "m{<<.LabelMatchers>>}"}
            objects: [{resource: pods}]
            """, [
                "spec.promql: must not be set together with spec.sysdig: a mapping has exactly one backend (sysdig for the Data API, promql for a PromQL query)",
            ]),
        ("""
            metricName: cpu
            objects: [{resource: pods}]
            """, [
                "spec.sysdig: required field is missing (it names the Sysdig metric behind the alias); or set spec.promql to use a PromQL query instead",
            ]),
        ("""
            metricName: cpu
            promql: {}
            objects: [{resource: pods}]
            """, ["spec.promql.query: required field is missing"]),
        ("""
            metricName: cpu
            promql: {query: "m{<<.LabelMatchers>>}", step: 1m}
            objects: [{resource: pods}]
            """, ["spec.promql.step: unknown field"]),
        ("""
            metricName: cpu
            promql: {query: "sum(rate(m{<<.LabelMatchers>>}[<<.Window>>])"}
            objects: [{resource: pods}]
            """, [
                "spec.promql.query: 1:45: parse error: unexpected end of input in aggregation sum; expected \")\"",
            ]),
        ("""
            metricName: cpu
            promql: {query: "  "}
            objects: [{resource: pods}]
            """, ["spec.promql.query: must not be empty"]),
        ("""
            metricName: cpu
            promql: {query: "m{<<.LabelMatchers>>}"}
            objects: [{resource: rollouts.argoproj.io}, {resource: pods, label: kubernetes.pod.name}]
            """, [
                "spec.objects[0].label: required for rollouts.argoproj.io: there is no default Prometheus label for it",
                "spec.objects[1].label: \"kubernetes.pod.name\" is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)",
            ]),
        ("""
            metricName: cpu
            promql: {query: "{<<.LabelMatchers>>}"}
            external: true
            """, [
                "spec.promql.query: an external query with no cluster name and no metric selector has no label matchers, and then the template is invalid: 1:1: parse error: after substitution ({}): vector selector must contain at least one non-empty matcher",
            ]),
    ]

    @Test(arguments: cases)
    func reportsBackendProblems(spec: String, expected: [String]) {
        #expect(problems(spec) == expected)
    }
}
