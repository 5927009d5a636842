import Foundation
import Testing

@testable import Shared

private func decodeYAML(_ yaml: String) -> Result<MetricMapping, MappingDecodingError> {
    let content = MappingFileLoader.parse(text: yaml, file: "test.yaml")
    guard case .success(let documents) = content.documents, let first = documents.first else {
        Issue.record("YAML did not parse: \(content.documents)")
        return .failure(MappingDecodingError(key: nil, problems: []))
    }
    return first.result
}

private func problems(_ yaml: String) -> [String] {
    switch decodeYAML(yaml) {
    case .success: return []
    case .failure(let error): return error.problems.map(\.description)
    }
}

private let header = """
    apiVersion: metrics.sysdig.com/v1alpha1
    kind: SysdigMetricMapping
    metadata:
      name: web
      namespace: shop
      creationTimestamp: "2024-05-01T12:00:05Z"
    """

@Suite struct MappingDecoderTests {
    @Test func decodesACompleteMapping() throws {
        let yaml = header + """

            spec:
              metricName: http_rps
              sysdig:
                metric: net.http.request.count
                timeAggregation: timeAvg
                groupAggregation: sum
                scope: "kubernetes.deployment.name = 'web'"
              objects:
                - resource: services
                - resource: rollouts.argoproj.io
                  label: kubernetes.rollout.name
              external: true
              window: 2m
              noData:
                policy: value
                value: 0
              multiplier: 0.5
              cacheTTL: 30s
            """
        let mapping = try decodeYAML(yaml).get()
        #expect(mapping.key == MappingKey(kind: .namespaced, namespace: "shop", name: "web"))
        #expect(mapping.metadata.creationTimestamp == Date(timeIntervalSince1970: 1_714_564_805))
        #expect(mapping.spec.metricName == "http_rps")
        #expect(mapping.spec.sysdig == SysdigBackendSpec(
            metric: "net.http.request.count", timeAggregation: "timeAvg", groupAggregation: "sum",
            scope: "kubernetes.deployment.name = 'web'"))
        #expect(mapping.spec.objects == [
            ObjectTarget(resource: "services"), ObjectTarget(resource: "rollouts.argoproj.io", label: "kubernetes.rollout.name"),
        ])
        #expect(mapping.spec.external)
        #expect(mapping.spec.window == KubeDuration(seconds: 120))
        #expect(mapping.spec.noData == .value(0))
        #expect(mapping.spec.multiplier == 0.5)
        #expect(mapping.spec.cacheTTL == KubeDuration(seconds: 30))
    }

    @Test func appliesDefaults() throws {
        let yaml = """
            apiVersion: metrics.sysdig.com/v1alpha1
            kind: SysdigMetricMapping
            metadata: {name: web}
            spec:
              metricName: rps
              sysdig: {metric: net.http.request.count}
              objects: [{resource: pods}]
            """
        let mapping = try decodeYAML(yaml).get()
        #expect(mapping.metadata.namespace == "default")
        #expect(mapping.spec.sysdig?.timeAggregation == "timeAvg")
        #expect(mapping.spec.sysdig?.groupAggregation == "avg")
        #expect(mapping.spec.window == KubeDuration(seconds: 60))
        #expect(mapping.spec.noData == .error)
        #expect(!mapping.spec.external)
    }

    static let badSpecs: [(String, [String])] = [
        ("""
            metricName: rps
            sysdig: {metric: net.http.request.count}
            objects: [{resource: pods}]
            window: "60"
            """, ["spec.window: \"60\" is not a duration (write it with a unit, e.g. \"60s\")"]),
        ("""
            metricName: rps
            sysdig: {metric: net.http.request.count, metrc: x}
            objects: [{resource: pods}]
            extra: 1
            """, ["spec.extra: unknown field", "spec.sysdig.metrc: unknown field"]),
        ("""
            metricName: rps
            sysdig: {metric: net.http.request.count, timeAggregation: average, groupAggregation: median}
            objects: [{resource: pods}]
            window: 65s
            """, [
                "spec.sysdig.timeAggregation: \"average\" is not one of avg, timeAvg, sum, min, max, rateOfChange",
                "spec.sysdig.groupAggregation: \"median\" is not one of avg, sum, min, max",
                "spec.window: 1m5s must be a multiple of 10s between 10s and 1h",
            ]),
        ("""
            metricName: 42
            sysdig: {metric: net.http.request.count}
            objects: [{resource: pods}]
            external: "yes"
            """, [
                "spec.metricName: expected a string, got a number 42",
                "spec.external: expected a boolean, got a string \"yes\"",
            ]),
        ("""
            metricName: rps
            objects: [{resource: widgets}, {resource: rollouts.argoproj.io}, {resource: pods}, {resource: pods}]
            """, [
                "spec.sysdig: required field is missing (it names the Sysdig metric behind the alias); or set spec.promql to use a PromQL query instead",
                "spec.objects[0].resource: \"widgets\" is not a known resource; write it as resource.group (e.g. rollouts.argoproj.io) and set label",
                "spec.objects[1].label: required for rollouts.argoproj.io: there is no default Sysdig label for it",
                "spec.objects[3].resource: pods is already listed in spec.objects[2]",
            ]),
        ("""
            metricName: "bad/name"
            sysdig: {metric: net.http.request.count}
            """, [
                "spec.metricName: \"bad/name\" is not a valid alias (start with a letter or _, then letters, digits, _ . : -; at most 200)",
                "spec.objects: at least one object resource is required unless spec.external is true",
            ]),
        ("""
            metricName: rps
            sysdig: {metric: net.http.request.count}
            external: true
            noData: {policy: value}
            window: 2h
            multiplier: 0
            """, [
                "spec.noData.value: required when policy is \"value\"",
                "spec.window: 2h must be a multiple of 10s between 10s and 1h",
                "spec.multiplier: must be a finite, non-zero number",
            ]),
        ("""
            metricName: rps
            sysdig: {metric: net.http.request.count}
            external: true
            noData: {policy: zero}
            """, ["spec.noData.policy: \"zero\" is not one of \"error\", \"value\""]),
    ]

    @Test(arguments: badSpecs)
    func reportsEveryProblemWithItsPath(spec: String, expected: [String]) {
        let indented = spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        #expect(problems(header + "\nspec:\n" + indented) == expected)
    }

    @Test func reportsScopeErrorsWithPosition() {
        let yaml = header + """

            spec:
              metricName: rps
              sysdig: {metric: net.http.request.count, scope: "kubernetes.namespace.name = 'a' or x = 'b'"}
              objects: [{resource: pods}]
            """
        let found = problems(yaml)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("spec.sysdig.scope: ") == true)
        #expect(found.first?.contains("position") == true)
    }

    @Test func reportsKindAndMetadataProblems() {
        let yaml = """
            apiVersion: metrics.sysdig.com/v1
            kind: ClusterSysdigMetricMapping
            metadata: {name: Web_1, namespace: shop}
            spec:
              metricName: rps
              sysdig: {metric: net.http.request.count}
              objects: [{resource: pods}]
            """
        #expect(problems(yaml) == [
            "apiVersion: \"metrics.sysdig.com/v1\" is not supported (expected \"metrics.sysdig.com/v1alpha1\")",
            "metadata.name: \"Web_1\" is not a valid object name (lowercase DNS subdomain)",
            "metadata.namespace: must not be set on a cluster-scoped ClusterSysdigMetricMapping",
        ])
    }

    @Test func malformedYAMLNamesTheLine() {
        let content = MappingFileLoader.parse(text: "a: b\n  c: [\n", file: "broken.yaml")
        guard case .failure(let error) = content.documents else {
            Issue.record("expected a parse failure")
            return
        }
        #expect(error.file == "broken.yaml")
        #expect(error.line != nil)
        #expect(error.description.hasPrefix("broken.yaml:"))
    }

    @Test func duplicateKeysAreRejected() {
        let content = MappingFileLoader.parse(text: "a: 1\na: 2\n", file: "dup.yaml")
        guard case .failure(let error) = content.documents else {
            Issue.record("expected a parse failure")
            return
        }
        #expect(error.message.contains("duplicate key"))
    }

    @Test func readsMultiDocumentFilesAndLists() throws {
        let one = header + "\nspec: {metricName: a, sysdig: {metric: m}, objects: [{resource: pods}]}\n"
        let text = one + "---\n" + one.replacingOccurrences(of: "name: web", with: "name: api") + "---\n"
        let content = MappingFileLoader.parse(text: text, file: "multi.yaml")
        let documents = try content.documents.get()
        #expect(documents.count == 2)
        #expect(documents.map(\.index) == [1, 2])
        #expect(content.isFullyValid)
    }

    @Test(arguments: [
        ("60s", 60_000), ("2m", 120_000), ("1m30s", 90_000), ("1h", 3_600_000), ("1.5m", 90_000), ("500ms", 500),
        ("0", 0),
    ] as [(String, Int64)])
    func parsesDurations(text: String, milliseconds: Int64) {
        #expect(KubeDuration.parse(text)?.milliseconds == milliseconds)
    }

    @Test(arguments: ["60", "", "s", "1x", "1m-3s", "--1s", ".s", "1..2s"])
    func rejectsBadDurations(text: String) {
        #expect(KubeDuration.parse(text) == nil)
    }

    @Test func examplesAreValid() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../crds/examples").standardized.path
        let report = ValidationReport.make(paths: [examples])
        #expect(report.isValid, "\(report.lines.filter { !$0.ok }.map(\.text))")
        #expect(report.validCount >= 4)
    }
}
