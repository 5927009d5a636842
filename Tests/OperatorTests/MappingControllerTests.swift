import Foundation
@testable import Operator
import ServiceLifecycle
import Shared
import Testing

/// The controller against the real client and the test API server: changes of both
/// kinds reach the store, `/readyz` waits for both lists, missed changes are
/// recovered by a relist, and `run()` ends promptly.
@Suite(.timeLimit(.minutes(1))) struct MappingControllerTests {
    static let smm = KubeGVR.sysdigMetricMappings
    static let csmm = KubeGVR.clusterSysdigMetricMappings

    static func key(_ name: String, namespace: String? = "shop") -> MappingKey {
        MappingKey(kind: namespace == nil ? .cluster : .namespaced, namespace: namespace, name: name)
    }

    @Test(arguments: [Optional("shop"), nil])
    func createUpdateDeleteReachTheStore(namespace: String?) async throws {
        let resource = namespace == nil ? Self.csmm : Self.smm
        try await withKubeServer { client, server in
            let store = ConfigStore()
            let controller = MappingController(
                api: client, store: store, logger: quietLogger(), sleep: RecordingSleeper().sleeper)
            try await withRunning([controller]) {
                await controller.waitUntilSynced()
                #expect(store.isLoaded)
                #expect(store.snapshot.entries.isEmpty)

                _ = try await client.create(resource, namespace: namespace, object: mappingObject("web-a", namespace: namespace))
                var snapshot = await store.waitUntil { $0.entries[Self.key("web-a", namespace: namespace)] != nil }
                #expect(snapshot.summary == [Self.key("web-a", namespace: namespace): "ready"])
                #expect(snapshot.resolve(alias: "web_a", namespace: "shop") != nil)

                _ = try await client.mergePatch(
                    resource, namespace: namespace, name: "web-a", subresource: nil,
                    patch: .object(["spec": .object(["metricName": .string("renamed")])]))
                snapshot = await store.waitUntil { $0.resolve(alias: "renamed", namespace: "shop") != nil }
                #expect(snapshot.resolve(alias: "web_a", namespace: "shop") == nil)
                #expect(snapshot.entries[Self.key("web-a", namespace: namespace)]?.mapping?.metadata.generation == 2)

                try await client.delete(resource, namespace: namespace, name: "web-a")
                snapshot = await store.waitUntil { $0.entries.isEmpty }
                #expect(!snapshot.hasAlias("renamed"))
            }
        }
    }

    @Test func notLoadedUntilBothKindsAreListed() async throws {
        try await withKubeServer { client, server in
            try server.seed(Self.smm, namespace: "shop", object: mappingObject("web"))
            try server.seed(Self.csmm, object: mappingObject("global", namespace: nil))
            // The cluster kind's first list fails; its watcher then waits in a backoff we hold.
            server.injectFaults(count: 1, status: 500, pathContains: "/clustersysdigmetricmappings?limit")
            let gate = GatedSleeper()
            let store = ConfigStore()
            let controller = MappingController(api: client, store: store, logger: quietLogger(), sleep: gate.sleeper)
            try await withRunning([controller]) {
                await gate.waitForSleepers(1)
                await server.waitUntil { $0.openWatches == 1 }  // the namespaced kind is listed and watching
                #expect(!store.isLoaded)
                #expect(controller.publishCount == 0)
                gate.open()
                await controller.waitUntilSynced()
                #expect(store.isLoaded)
                #expect(Set(store.snapshot.summary.keys) == [Self.key("web"), Self.key("global", namespace: nil)])
            }
        }
    }

    @Test func changesMissedWhileDisconnectedAreRecoveredByARelist() async throws {
        try await withKubeServer { client, server in
            for name in ["a", "b", "c"] { try server.seed(Self.smm, namespace: "shop", object: mappingObject(name)) }
            try server.seed(Self.csmm, object: mappingObject("global", namespace: nil))
            let gate = GatedSleeper()
            let store = ConfigStore()
            let controller = MappingController(api: client, store: store, logger: quietLogger(), pageSize: 2, sleep: gate.sleeper)
            try await withRunning([controller]) {
                await controller.waitUntilSynced()
                #expect(store.snapshot.entries.count == 4)
                // Drop both watches; the namespaced one cannot come back until the test opens the gate.
                server.injectFaults(count: 1, status: 500, pathContains: "/sysdigmetricmappings?")
                server.injectFaults(count: 1, status: 500, pathContains: "/clustersysdigmetricmappings?")
                server.disconnectAllWatches()
                await gate.waitForSleepers(2)
                try server.remove(Self.smm, namespace: "shop", name: "b")
                try server.patch(Self.smm, namespace: "shop", name: "c", patch: .object(["spec": .object(["metricName": .string("cee")])]))
                try server.seed(Self.smm, namespace: "other", object: mappingObject("d", namespace: "other"))
                try server.remove(Self.csmm, name: "global")
                server.compact()  // the resumed watches get 410 and must relist
                let before = server.requests.count
                gate.open()
                let snapshot = await store.waitUntil {
                    Set($0.summary.keys) == [Self.key("a"), Self.key("c"), Self.key("d", namespace: "other")]
                }
                #expect(snapshot.resolve(alias: "cee", namespace: "shop") != nil)
                #expect(!snapshot.hasAlias("global"))
                let relists = server.requests.dropFirst(before).filter { $0.query["watch"] == nil && $0.method == "GET" }
                #expect(relists.count >= 2)
            }
        }
    }

    @Test func bookmarksAdvanceTheResumeVersion() async throws {
        try await withKubeServer { client, server in
            let store = ConfigStore()
            let controller = MappingController(api: client, store: store, logger: quietLogger(), sleep: RecordingSleeper().sleeper)
            try await withRunning([controller]) {
                await controller.waitUntilSynced()
                await server.waitUntil { $0.openWatches >= 2 }
                try server.seed(.configMaps, namespace: "shop", object: .object(["metadata": .object(["name": .string("x")])]))
                let bookmarked = String(server.resourceVersion)
                server.sendBookmarks()
                server.compact()  // history before the bookmark is gone; resuming from it still works
                try server.seed(Self.smm, namespace: "shop", object: mappingObject("after"))
                // Make sure both watchers consumed the bookmark before they are dropped.
                await store.waitUntil { $0.entries[Self.key("after")] != nil }
                let before = server.requests.count
                server.disconnectAllWatches()
                await server.waitUntil { snapshot in
                    snapshot.requests.dropFirst(before).filter { $0.query["watch"] == "true" }.count >= 2
                }
                let rewatches = server.requests.dropFirst(before).filter { $0.query["watch"] == "true" }
                #expect(rewatches.allSatisfy { Int($0.query["resourceVersion"] ?? "") ?? 0 >= Int(bookmarked) ?? 0 })
                #expect(server.requests.dropFirst(before).filter { $0.query["limit"] != nil }.isEmpty)  // no relist
            }
        }
    }

    @Test func aWatchThatExpiresRightAfterEveryListBacksOff() async throws {
        try await withKubeServer { client, server in
            try server.seed(Self.smm, namespace: "shop", object: mappingObject("a"))
            server.injectFaults(count: 20, status: 410, pathContains: "/sysdigmetricmappings?watch=true")
            let sleeper = RecordingSleeper(budget: 100)
            let store = ConfigStore()
            let controller = MappingController(api: client, store: store, logger: quietLogger(), sleep: sleeper.sleeper)
            try await withRunning([controller]) {
                await controller.waitUntilSynced()
                await server.waitUntil { $0.openWatches >= 2 }  // only once the faults are used up
                try server.seed(Self.smm, namespace: "shop", object: mappingObject("b"))
                await store.waitUntil { $0.entries[Self.key("b")] != nil }
                let lists = server.requests.filter { $0.path.hasSuffix("/sysdigmetricmappings") && $0.query["limit"] != nil }
                #expect(lists.count == 21)
                #expect(sleeper.recorded.count >= 20)  // one backoff per expired-at-once watch
            }
        }
    }

    @Test func runEndsPromptlyOnGracefulShutdownAndOnCancellation() async throws {
        try await withKubeServer { client, server in
            let store = ConfigStore()
            let controller = MappingController(api: client, store: store, logger: quietLogger(), sleep: Sleepers.real)
            let group = ServiceGroup(
                configuration: .init(services: [controller], gracefulShutdownSignals: [], logger: quietLogger()))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await controller.waitUntilSynced()
                await server.waitUntil { $0.openWatches >= 2 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }

            let other = MappingController(
                api: client, store: ConfigStore(), logger: quietLogger(), sleep: Sleepers.real)
            let task = Task { try await other.run() }
            await other.waitUntilSynced()
            task.cancel()
            try await task.value
        }
    }
}
