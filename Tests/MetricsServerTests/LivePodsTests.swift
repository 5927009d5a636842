import Foundation
import Shared
import Synchronization
import Testing

@testable import MetricsServer
import SysdigSimulator

/// Issue 12f/12j: in Kubernetes mode a Pods query answers for exactly the pods that
/// exist now and match the selector, whatever Sysdig still reports from the window,
/// and every one of them exactly once, even above Sysdig's 1,000-segment pages while
/// its ranking by value shifts between pages.
@Suite("Live pods") struct LivePodsTests {
    /// A fixed set of pods, as the pod cache would list them.
    struct StaticPods: PodListing {
        var pods: [String: [String: String]]  // name → labels, all in namespace shop
        var isListed: Bool { true }
        func podNames(namespace: String, selector: LabelSelector) -> [String]? {
            guard namespace == "shop" else { return [] }
            return pods.filter { selector.matches($0.value) }.keys.sorted()
        }
    }

    static let livePods = (0..<2_500).map { String(format: "web-%04d", $0) }
    /// Replaced during a rollout: Sysdig still has their data, the cluster no longer has them.
    static let gonePods = (0..<5).map { "web-old-\($0)" }
    /// Live but never measured.
    static let silentPod = "web-0007"

    static let world: SysdigSimulator.World = {
        let entities = (livePods + gonePods).map { name in
            [
                "kubernetes.cluster.name": "prod", "kubernetes.namespace.name": "shop",
                "kubernetes.pod.name": name, "kubernetes.pod.label.app": "web",
            ]
        }
        return SysdigSimulator.World(entities: entities, metrics: [
            .init(id: "cpu.used.percent") { labels, at in
                let name = labels["kubernetes.pod.name"] ?? ""
                guard name != silentPod else { return nil }
                // Values drift with time, so the ranking Sysdig pages by changes between pages.
                let seed = name.unicodeScalars.reduce(0) { ($0 * 31 + Int($1.value)) % 100_003 }
                return Double((seed + Int(at.timeIntervalSince1970) * 13) % 1_000)
            },
        ])
    }()

    static let mappings = """
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: SysdigMetricMapping
        metadata: {name: cpu, namespace: shop}
        spec:
          metricName: cpu
          sysdig: {metric: cpu.used.percent, timeAggregation: timeAvg, groupAggregation: avg}
          objects: [{resource: pods}]
        ---
        apiVersion: metrics.sysdig.com/v1alpha1
        kind: SysdigMetricMapping
        metadata: {name: cpu-or-zero, namespace: shop}
        spec:
          metricName: cpu_or_zero
          sysdig: {metric: cpu.used.percent, timeAggregation: timeAvg, groupAggregation: avg}
          objects: [{resource: pods}]
          noData: {policy: value, value: 0}
        """

    /// Every Sysdig request moves the clock 37 s on: each page sees a different ranking.
    static func driftingClock() -> @Sendable () -> Date {
        let ticks = Mutex(0)
        return {
            let tick = ticks.withLock { value -> Int in
                value += 1
                return value
            }
            return Date(timeIntervalSince1970: 1_700_000_000 + Double(tick * 37))
        }
    }

    static func names(_ reply: MetricsAPIHarness.Reply) -> [String] {
        reply.items.compactMap { ($0["describedObject"] as? [String: Any])?["name"] as? String }
    }

    @Test func everyLivePodExactlyOnceAndNoOthers() async throws {
        let pods = StaticPods(pods: Dictionary(uniqueKeysWithValues: Self.livePods.map { ($0, ["app": "web"]) }))
        try await MetricsAPIHarness.run(
            world: Self.world, mappings: Self.mappings, simulatorClock: Self.driftingClock(),
            configure: { $0.pods = pods }
        ) { api in
            let reply = try await api.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/cpu?labelSelector=app%3Dweb")
            #expect(reply.status == 200, "\(reply.body.prefix(300))")
            let names = Self.names(reply)
            #expect(names.count == Set(names).count, "an object answered twice")
            #expect(Set(names) == Set(Self.livePods).subtracting([Self.silentPod]))
            // Every request names its pods (at most 250), so none is asked for twice.
            let filters = api.filters.compactMap { $0 }
            #expect(filters.count == 10)
            #expect(filters.allSatisfy { $0.contains("kubernetes.pod.name in (") })

            // noData.policy value: the pod without data is answered with the value.
            let filled = try await api.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/cpu_or_zero?labelSelector=app%3Dweb")
            #expect(filled.status == 200)
            #expect(Set(Self.names(filled)) == Set(Self.livePods))
            let silent = filled.items.first { ($0["describedObject"] as? [String: Any])?["name"] as? String == Self.silentPod }
            #expect(silent?["value"] as? String == "0")
        }
    }

    @Test func podsThatNoLongerExistAreNotAnswered() async throws {
        let live = ["web-0001", "web-0002", "web-0003"]
        let pods = StaticPods(pods: Dictionary(uniqueKeysWithValues: (live + ["other-1"]).map {
            ($0, ["app": $0.hasPrefix("web") ? "web" : "other"])
        }))
        try await MetricsAPIHarness.run(world: Self.world, mappings: Self.mappings, configure: { $0.pods = pods }) { api in
            let reply = try await api.get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/cpu?labelSelector=app%3Dweb")
            #expect(reply.status == 200)
            #expect(Self.names(reply) == live)
            let none = try await api.get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/cpu?labelSelector=app%3Dnone")
            #expect(none.status == 404)
            #expect((none.json?["message"] as? String)?.contains("no pod in namespace shop matches") == true)
        }
    }

    @Test func beforeThePodsAreListedPodsQueriesAreUnavailable() async throws {
        struct Unsynced: PodListing {
            var isListed: Bool { false }
            func podNames(namespace: String, selector: LabelSelector) -> [String]? { nil }
        }
        try await MetricsAPIHarness.run(world: Self.world, mappings: Self.mappings, configure: { $0.pods = Unsynced() }) { api in
            let reply = try await api.get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/*/cpu?labelSelector=app%3Dweb")
            #expect(reply.status == 503)
            #expect(!reply.clientGoRetries)
            // Object queries do not need the pod list.
            let one = try await api.get("/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/pods/web-0001/cpu")
            #expect(one.status == 200)
        }
    }
}
