import Foundation
import Testing

@testable import Shared

/// Issue 13 §2: a SysdigMetricMapping reads only its own namespace, and no caller's
/// selector can pick another namespace or cluster, in either backend.
@Suite struct TenantIsolationTests {
    static func decode(_ yaml: String) -> Result<MetricMapping, MappingDecodingError> {
        let content = MappingFileLoader.parse(text: yaml, file: "test.yaml")
        guard case .success(let documents) = content.documents, let first = documents.first else {
            return .failure(MappingDecodingError(key: nil, problems: []))
        }
        return first.result
    }

    static func yaml(kind: String, spec: String) -> String {
        let namespace = kind == "SysdigMetricMapping" ? "\n  namespace: shop" : ""
        return """
            apiVersion: metrics.sysdig.com/v1alpha1
            kind: \(kind)
            metadata:
              name: m\(namespace)
            spec:
            \(spec)
            """
    }

    static func compiled(kind: String, spec: String) throws -> CompiledMapping {
        try CompiledMapping.compile(decode(yaml(kind: kind, spec: spec)).get()).get()
    }

    static let leakyQuery = #"sum(x{<<.LabelMatchers>>})*0 + sum(y{kube_namespace_name="payments"})"#

    @Test(arguments: [
        leakyQuery,
        "sum(x{<<.LabelMatchers>>}) + sum(up)",
        "sum(x{<<.LabelMatchers>>}) / scalar(sum({__name__=\"y\"}))",
    ])
    func aNamespacedPromQLMappingMayNotHaveASelectorWithoutLabelMatchers(query: String) {
        let spec = "  metricName: m\n  promql: {query: '\(query)'}\n  external: true"
        guard case .failure(let error) = Self.decode(Self.yaml(kind: "SysdigMetricMapping", spec: spec)) else {
            Issue.record("accepted: \(query)")
            return
        }
        let messages = error.problems.map(\.description)
        #expect(messages.count == 1, "\(messages)")
        #expect(messages.first?.contains("spec.promql.query") == true)
        #expect(messages.first?.contains("every selector must carry <<.LabelMatchers>>") == true, "\(messages)")
        // Cluster mappings may read cluster-wide series (still scoped to the adapter's cluster where they carry the matchers).
        #expect((try? Self.decode(Self.yaml(kind: "ClusterSysdigMetricMapping", spec: spec)).get()) != nil)
    }

    @Test func externalScopeRules() {
        let namespacedCluster = "  metricName: m\n  sysdig: {metric: q}\n  external: true\n  externalScope: cluster"
        guard case .failure(let error) = Self.decode(Self.yaml(kind: "SysdigMetricMapping", spec: namespacedCluster)) else {
            Issue.record("a namespaced mapping was allowed externalScope: cluster")
            return
        }
        #expect(error.problems.map(\.path) == ["spec.externalScope"])
        let notExternal = "  metricName: m\n  sysdig: {metric: q}\n  objects: [{resource: pods}]\n  externalScope: namespace"
        #expect((try? Self.decode(Self.yaml(kind: "ClusterSysdigMetricMapping", spec: notExternal)).get()) == nil)
        let bad = "  metricName: m\n  sysdig: {metric: q}\n  external: true\n  externalScope: everywhere"
        guard case .failure(let badError) = Self.decode(Self.yaml(kind: "ClusterSysdigMetricMapping", spec: bad)) else {
            Issue.record("an unknown externalScope was accepted")
            return
        }
        #expect(badError.problems.first?.description.contains("\"everywhere\" is not \"namespace\" or \"cluster\"") == true)
    }

    @Test(arguments: [(nil, true), ("namespace", true), ("cluster", false)] as [(String?, Bool)])
    func clusterExternalMetricsAreScopedToTheCallersNamespaceUnlessOptedOut(scope: String?, scoped: Bool) throws {
        let scopeLine = scope.map { "\n  externalScope: \($0)" } ?? ""
        let data = try Self.compiled(
            kind: "ClusterSysdigMetricMapping", spec: "  metricName: m\n  sysdig: {metric: q}\n  external: true\(scopeLine)")
        let query = MetricQuery(alias: "m", target: .external(namespace: "tenant-a"))
        let filter = try QueryTranslator(clusterName: "prod").plan(for: query, mapping: data).request?.filter ?? ""
        #expect(filter.contains("kubernetes.namespace.name = 'tenant-a'") == scoped, "\(filter)")
        #expect(filter.contains("kubernetes.cluster.name = 'prod'"))

        let promql = try Self.compiled(
            kind: "ClusterSysdigMetricMapping",
            spec: "  metricName: m\n  promql: {query: 'sum(q{<<.LabelMatchers>>})'}\n  external: true\(scopeLine)")
        let text = try QueryTranslator(clusterName: "prod").plan(for: query, mapping: promql).promQLRequest?.query ?? ""
        #expect(text.contains(#"kube_namespace_name="tenant-a""#) == scoped, "\(text)")
    }

    @Test(arguments: ["kubernetes.namespace.name=victim", "kubernetes.cluster.name=other", "kubernetes.namespace.name in (a,b)"])
    func dataAPISelectorsMayNotNameNamespaceOrCluster(selector: String) throws {
        let mapping = try Self.compiled(kind: "ClusterSysdigMetricMapping", spec: "  metricName: m\n  sysdig: {metric: q}\n  external: true")
        let query = MetricQuery(alias: "m", target: .external(namespace: "mine"), metricSelector: try LabelSelector.parse(selector))
        #expect(throws: TranslationError.self) { try QueryTranslator(clusterName: "prod").plan(for: query, mapping: mapping) }
        do {
            _ = try QueryTranslator(clusterName: "prod").plan(for: query, mapping: mapping)
        } catch {
            #expect(error.code == .unsupportedSelector)
            #expect(error.message.contains("is set by the adapter"))
        }
    }

    @Test(arguments: ["kube_namespace_name=victim", "kube_cluster_name=other"])
    func promQLSelectorsMayNotNameNamespaceOrCluster(selector: String) throws {
        let mapping = try Self.compiled(
            kind: "SysdigMetricMapping", spec: "  metricName: m\n  promql: {query: 'sum(q{<<.LabelMatchers>>})'}\n  external: true")
        let query = MetricQuery(alias: "m", target: .external(namespace: "shop"), metricSelector: try LabelSelector.parse(selector))
        do {
            _ = try QueryTranslator(clusterName: "prod").plan(for: query, mapping: mapping)
            Issue.record("accepted \(selector)")
        } catch {
            #expect(error.code == .unsupportedSelector)
        }
    }
}
