import Foundation
import Testing

@testable import Shared

private func mapping(
    kind: MappingKind = .namespaced, namespace: String? = "shop", alias: String = "rps",
    resources: [ObjectTarget] = [ObjectTarget(resource: "services"), ObjectTarget(resource: "pods"),
                                 ObjectTarget(resource: "nodes"), ObjectTarget(resource: "namespaces"),
                                 ObjectTarget(resource: "deployments.apps")],
    scope: String? = nil, external: Bool = false, multiplier: Double? = nil, noData: NoDataPolicy = .error
) throws -> CompiledMapping {
    let spec = MappingSpec(
        metricName: alias,
        sysdig: SysdigBackendSpec(metric: "net.http.request.count", timeAggregation: "timeAvg", groupAggregation: "sum", scope: scope),
        objects: resources, external: external, window: KubeDuration(seconds: 60), noData: noData, multiplier: multiplier)
    return try CompiledMapping.compile(MetricMapping(kind: kind, metadata: ObjectMeta(name: "m", namespace: namespace), spec: spec)).get()
}

private func resource(_ name: String) -> KubeResource {
    KubeResource.lookup(name)!  // test fixture: known names only
}

private func body(_ plan: SysdigQueryPlan) throws -> String {
    String(decoding: try #require(plan.request).encodedBody(), as: UTF8.self)
}

@Suite struct QueryTranslatorTests {
    static let valueMetric = #"{"aggregations":{"group":"sum","time":"timeAvg"},"id":"net.http.request.count"}"#

    static let cases: [(String, String?, String?, MetricQuery, String)] = [
        ("service by name", nil, nil,
         MetricQuery(alias: "rps", target: .object(resource: resource("services"), namespace: "shop", name: "web")),
         #"{"dataSourceType":"container","filter":"kubernetes.namespace.name = 'shop' and kubernetes.service.name = 'web'","last":60,"metrics":[\#(valueMetric)]}"#),
        ("service by name, cluster name", "prod", nil,
         MetricQuery(alias: "rps", target: .object(resource: resource("services"), namespace: "shop", name: "web")),
         #"{"dataSourceType":"container","filter":"kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.service.name = 'web'","last":60,"metrics":[\#(valueMetric)]}"#),
        ("deployment by name, cluster name and scope", "prod", "kubernetes.container.name != 'istio-proxy'",
         MetricQuery(alias: "rps", target: .object(resource: resource("deployments"), namespace: "shop", name: "web")),
         #"{"dataSourceType":"container","filter":"kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.deployment.name = 'web' and kubernetes.container.name != 'istio-proxy'","last":60,"metrics":[\#(valueMetric)]}"#),
        ("node by name", nil, nil,
         MetricQuery(alias: "rps", target: .object(resource: resource("nodes"), namespace: nil, name: "node-1")),
         #"{"dataSourceType":"host","filter":"kubernetes.node.name = 'node-1'","last":60,"metrics":[\#(valueMetric)]}"#),
        ("namespace metric", nil, nil,
         MetricQuery(alias: "rps", target: .object(resource: resource("namespaces"), namespace: nil, name: "shop")),
         #"{"dataSourceType":"container","filter":"kubernetes.namespace.name = 'shop'","last":60,"metrics":[\#(valueMetric)]}"#),
        ("pods by selector", nil, nil,
         MetricQuery(alias: "rps", target: .selector(resource: resource("pods"), namespace: "shop",
                                                     selector: try! LabelSelector.parse("app=web,tier in (a,b),track!=canary,env notin (dev)"))),
         #"{"dataSourceType":"container","filter":"kubernetes.namespace.name = 'shop' and kubernetes.pod.label.app = 'web' and not kubernetes.pod.label.env in ('dev') and kubernetes.pod.label.tier in ('a', 'b') and kubernetes.pod.label.track != 'canary'","last":60,"metrics":[{"id":"kubernetes.pod.name"},\#(valueMetric)],"paging":{"from":0,"to":999}}"#),
        ("all pods in a namespace", "prod", nil,
         MetricQuery(alias: "rps", target: .selector(resource: resource("pods"), namespace: "shop", selector: LabelSelector())),
         #"{"dataSourceType":"container","filter":"kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop'","last":60,"metrics":[{"id":"kubernetes.pod.name"},\#(valueMetric)],"paging":{"from":0,"to":999}}"#),
        ("metric label selector", nil, nil,
         MetricQuery(alias: "rps", target: .object(resource: resource("services"), namespace: "shop", name: "web"),
                     metricSelector: try! LabelSelector.parse("net.http.method=GET")),
         #"{"dataSourceType":"container","filter":"kubernetes.namespace.name = 'shop' and kubernetes.service.name = 'web' and net.http.method = 'GET'","last":60,"metrics":[\#(valueMetric)]}"#),
    ]

    @Test(arguments: cases)
    func translates(name: String, cluster: String?, scope: String?, query: MetricQuery, expected: String) throws {
        let plan = try QueryTranslator(clusterName: cluster).plan(for: query, mapping: try mapping(scope: scope))
        #expect(try body(plan) == expected, "\(name)")
    }

    @Test func externalQueriesOfNamespacedMappingsStayInTheirNamespace() throws {
        let query = MetricQuery(alias: "rps", target: .external(namespace: "shop"),
                                metricSelector: try LabelSelector.parse("rabbitmq.queue.name=orders"))
        let local = try QueryTranslator().plan(for: query, mapping: try mapping(external: true))
        #expect(local.request?.filter == "kubernetes.namespace.name = 'shop' and rabbitmq.queue.name = 'orders'")
        #expect(local.request?.dataSourceType == nil)
        let cluster = try QueryTranslator(clusterName: "prod").plan(
            for: query, mapping: try mapping(kind: .cluster, namespace: nil, external: true))
        // A cluster mapping is scoped to the caller's namespace too, unless externalScope: cluster.
        #expect(cluster.request?.filter == "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and rabbitmq.queue.name = 'orders'")
    }

    @Test func refusesWhatItCannotExpress() throws {
        let translator = QueryTranslator()
        let compiled = try mapping(resources: [ObjectTarget(resource: "pods")])
        #expect(throws: TranslationError.self) {
            try translator.plan(for: MetricQuery(alias: "rps", target: .external(namespace: "shop")), mapping: compiled)
        }
        do {
            _ = try translator.plan(
                for: MetricQuery(alias: "rps", target: .object(resource: resource("services"), namespace: "shop", name: "web")),
                mapping: compiled)
            Issue.record("expected resourceNotCovered")
        } catch {
            #expect(error.code == .resourceNotCovered)
            #expect(error.message == "metric rps does not describe services (it describes pods)")
        }
        let exists = MetricQuery(alias: "rps", target: .selector(resource: resource("pods"), namespace: "shop", selector: try LabelSelector.parse("app")))
        do {
            _ = try translator.plan(for: exists, mapping: compiled)
            Issue.record("expected unsupportedSelector")
        } catch {
            #expect(error.code == .unsupportedSelector)
        }
    }

    @Test func hostileNamesNeverChangeTheFilterStructure() throws {
        let compiled = try mapping(resources: [ObjectTarget(resource: "services")])
        for name in ["web' or kubernetes.namespace.name = 'other", "a\\", "x\ny", "\"quoted\""] {
            let query = MetricQuery(alias: "rps", target: .object(resource: resource("services"), namespace: "shop", name: name))
            #expect(throws: TranslationError.self) { try QueryTranslator().plan(for: query, mapping: compiled) }
        }
    }

    @Test func readsSamplesApplyingMultiplier() throws {
        let compiled = try mapping(multiplier: 1000)
        let plan = try QueryTranslator().plan(
            for: MetricQuery(alias: "rps", target: .selector(resource: resource("pods"), namespace: "shop", selector: LabelSelector())),
            mapping: compiled)
        let response = SysdigDataResponse(data: [
            .init(t: 10, d: [.string("web-1"), .number(1.5)]),
            .init(t: 20, d: [.string("web-1"), .number(2.5)]),
            .init(t: 20, d: [.string("web-2"), .null]),
            .init(t: 20, d: [.null, .number(7)]),
        ], start: 0, end: 20)
        #expect(plan.samples(from: response) == [SysdigQueryPlan.Sample(object: "web-1", value: 2500, timestamp: 20)])
        #expect(plan.request(page: 2)?.paging == .init(from: 2000, to: 2999))
    }
}
