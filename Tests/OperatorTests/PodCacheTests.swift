import Foundation
import Shared
import Testing

/// The pod cache through the real client and the test API server: list, then watch;
/// finished pods are left out; labels are matched as Kubernetes selectors match them.
@Suite(.timeLimit(.minutes(1))) struct PodCacheTests {
    static func pod(_ name: String, namespace: String = "shop", labels: [String: String], phase: String = "Running") -> JSONValue {
        .object([
            "apiVersion": .string("v1"), "kind": .string("Pod"),
            "metadata": .object([
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(labels.mapValues { .string($0) }),
            ]),
            "spec": .object(["containers": .array([.object(["name": .string("app"), "image": .string("x")])])]),
            "status": .object(["phase": .string(phase)]),
        ])
    }

    /// Waits (yielding, bounded by the suite's time limit) until the cache shows `expected`.
    static func eventually(_ cache: PodCache, _ selector: String, namespace: String = "shop", _ expected: [String]) async throws {
        let parsed = try LabelSelector.parse(selector)
        while cache.podNames(namespace: namespace, selector: parsed) != expected { await Task.yield() }
    }

    @Test func listsWatchesAndLeavesFinishedPodsOut() async throws {
        try await withKubeServer { client, server in
            try server.seed(.pods, namespace: "shop", object: Self.pod("web-1", labels: ["app": "web", "tier": "front"]))
            try server.seed(.pods, namespace: "shop", object: Self.pod("web-2", labels: ["app": "web"]))
            try server.seed(.pods, namespace: "shop", object: Self.pod("web-done", labels: ["app": "web"], phase: "Succeeded"))
            try server.seed(.pods, namespace: "other", object: Self.pod("web-9", namespace: "other", labels: ["app": "web"]))
            let cache = PodCache(api: client, logger: quietLogger(), sleep: RecordingSleeper().sleeper)
            #expect(cache.podNames(namespace: "shop", selector: LabelSelector()) == nil)
            try await withRunning([cache]) {
                try await Self.eventually(cache, "app=web", ["web-1", "web-2"])
                #expect(cache.podNames(namespace: "shop", selector: try LabelSelector.parse("app=web,tier in (front)")) == ["web-1"])
                #expect(cache.podNames(namespace: "other", selector: try LabelSelector.parse("app=web")) == ["web-9"])

                try server.seed(.pods, namespace: "shop", object: Self.pod("web-3", labels: ["app": "web"]))
                try server.remove(.pods, namespace: "shop", name: "web-1")
                try await Self.eventually(cache, "app=web", ["web-2", "web-3"])
                try server.patch(.pods, namespace: "shop", name: "web-2", patch: .object(["status": .object(["phase": .string("Failed")])]))
                try await Self.eventually(cache, "app=web", ["web-3"])
            }
        }
    }
}

extension PodCache: ServiceRunning {}
