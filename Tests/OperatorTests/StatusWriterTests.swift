import Foundation
@_spi(Testing) @testable import Operator
import Shared
import Synchronization
import Testing
import TestSupport

/// Controller + status writer + event recorder against the test API server: the
/// conditions users see, conflicts, observedGeneration, idempotence, faults, Events.
@Suite(.timeLimit(.minutes(1))) struct StatusWriterTests {
    static let smm = KubeGVR.sysdigMetricMappings
    static let csmm = KubeGVR.clusterSysdigMetricMappings

    struct Harness {
        let client: KubernetesClient
        let server: KubeAPITestServer
        let store: ConfigStore
        let controller: MappingController
        let writer: StatusWriter

        /// Waits until the store shows `predicate`, that snapshot was handed to the
        /// writer, and the writer has nothing left to do.
        @discardableResult
        func settle(_ predicate: (ConfigSnapshot) -> Bool) async -> ConfigSnapshot {
            let snapshot = await store.waitUntil(predicate)
            await controller.waitForPublish(count: snapshot.version)
            await writer.waitUntilIdle()
            return snapshot
        }

        /// The store holds the server's current version of each object named.
        func caughtUp(_ keys: [MappingKey]) -> (ConfigSnapshot) -> Bool {
            { snapshot in
                keys.allSatisfy { key in
                    let object = server.object(KubeGVR.mappings(key.kind), namespace: key.namespace, name: key.name)
                    return snapshot.entries[key]?.mapping?.metadata.resourceVersion == object?.resourceVersion
                }
            }
        }

        func object(_ key: MappingKey) -> JSONValue? {
            server.object(KubeGVR.mappings(key.kind), namespace: key.namespace, name: key.name)
        }

        var statusWrites: Int { server.requests.filter { $0.method == "PATCH" && $0.path.hasSuffix("/status") }.count }

        /// Events stored on the server, oldest first: (regarding name, reason, type).
        func events() async -> [EventSummary] {
            let box = Mutex<[KubeStoreKey: JSONValue]>([:])
            await server.waitUntil { snapshot in
                box.withLock { $0 = snapshot.objects }
                return true
            }
            return box.withLock { $0 }.filter { $0.key.resource == .events }.map(\.value)
                .sorted { ($0.name ?? "") < ($1.name ?? "") }
                .map {
                    EventSummary(
                        name: $0["regarding"]?["name"]?.stringValue ?? "", reason: $0["reason"]?.stringValue ?? "",
                        type: $0["type"]?.stringValue ?? "")
                }
        }
    }

    struct EventSummary: Hashable, CustomStringConvertible {
        var name: String
        var reason: String
        var type: String
        var description: String { "\(name):\(reason):\(type)" }
    }

    static func withHarness(
        creationRepeats: Int = 1, isLeader: @escaping @Sendable () -> Bool = { true },
        writerAPI: @Sendable (KubernetesClient) -> any KubernetesAPI = { $0 },
        _ body: (Harness) async throws -> Void
    ) async throws {
        let server = KubeAPITestServer(now: TickingDates(repeats: creationRepeats).now)
        try await server.withRunning { port in
            let client = try KubernetesClient(configuration: server.configuration(port: port))
            let clock = TestClock()
            let events = EventRecorder(api: client, reportingInstance: "adapter-0", logger: quietLogger(), now: clock.date)
            let writer = StatusWriter(
                api: writerAPI(client), logger: quietLogger(), isLeader: isLeader, events: events, now: clock.date,
                sleep: RecordingSleeper().sleeper)
            let store = ConfigStore()
            let controller = MappingController(
                api: client, store: store, logger: quietLogger(), sleep: RecordingSleeper().sleeper,
                onPublish: { snapshot, objects in writer.enqueue(snapshot: snapshot, objects: objects) })
            do {
                try await withRunning([controller, writer]) {
                    try await body(Harness(client: client, server: server, store: store, controller: controller, writer: writer))
                }
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    static func key(_ name: String, _ namespace: String? = "shop") -> MappingKey {
        MappingKey(kind: namespace == nil ? .cluster : .namespaced, namespace: namespace, name: name)
    }

    static func mapping(_ name: String, alias: String, namespace: String? = "shop", valid: Bool = true) -> JSONValue {
        let object = mappingObject(name, namespace: namespace).setting(["spec", "metricName"], to: .string(alias))
        return valid ? object : object.setting(["spec", "sysdig"], to: nil)
    }
}

extension StatusWriterTests {
    @Test func conditionsConflictsGenerationsAndEvents() async throws {
        try await Self.withHarness { harness in
            let server = harness.server
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("zeta", alias: "orders"))  // older: wins
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("alpha", alias: "orders"))
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("broken", alias: "broken", valid: false))
            try server.seed(Self.csmm, object: Self.mapping("global", alias: "orders", namespace: nil))  // other scope
            let keys = [Self.key("zeta"), Self.key("alpha"), Self.key("global", nil)]
            await harness.settle(harness.caughtUp(keys))
            await server.waitUntil { $0.object(Self.smm, namespace: "shop", name: "broken")?["status"] != nil }

            let zeta = try #require(harness.object(Self.key("zeta")))
            #expect(zeta.condition("Ready")?["status"]?.stringValue == "True")
            #expect(zeta.condition("Ready")?["reason"]?.stringValue == "Serving")
            #expect(zeta.condition("Valid")?["status"]?.stringValue == "True")
            #expect(zeta.condition("Conflicting")?["status"]?.stringValue == "False")
            #expect(zeta["status"]?["observedGeneration"] == .number(1))
            #expect(zeta.condition("Ready")?["observedGeneration"] == .number(1))
            #expect(zeta["status"]?["servedResources"]?.arrayValue?.isEmpty == false)

            let alpha = try #require(harness.object(Self.key("alpha")))
            #expect(alpha.condition("Conflicting")?["status"]?.stringValue == "True")
            #expect(alpha.condition("Ready")?["status"]?.stringValue == "False")
            #expect(alpha.condition("Valid")?["status"]?.stringValue == "True")
            let conflict = alpha.condition("Conflicting")?["message"]?.stringValue ?? ""
            #expect(conflict.contains("SysdigMetricMapping shop/zeta"))
            #expect(alpha["status"]?["servedResources"] == .array([]))

            let broken = try #require(harness.object(Self.key("broken")))
            #expect(broken.condition("Valid")?["status"]?.stringValue == "False")
            #expect(broken.condition("Ready")?["status"]?.stringValue == "False")
            #expect(broken.condition("Ready")?["reason"]?.stringValue == "InvalidSpec")
            guard case .failure(let decoding) = MappingDecoder.decode(broken, defaultNamespace: nil) else {
                Issue.record("the broken mapping decoded")
                return
            }
            let message = broken.condition("Valid")?["message"]?.stringValue ?? ""
            #expect(message == decoding.problems.map(\.description).joined(separator: "; "))
            #expect(message.hasPrefix("spec"))  // field-level

            #expect(harness.object(Self.key("global", nil))?.condition("Ready")?["status"]?.stringValue == "True")
            #expect(harness.store.snapshot.resolve(alias: "orders", namespace: "shop")?.key == Self.key("zeta"))

            // One event per Ready transition.
            var events = await harness.events().map(\.description).sorted()
            #expect(events == [
                "alpha:Conflict:Warning", "broken:InvalidSpec:Warning", "global:Serving:Normal", "zeta:Serving:Normal",
            ])

            // A spec change: generation 2 is observed; the Ready condition keeps its transition time.
            let readySince = zeta.condition("Ready")?["lastTransitionTime"]
            try server.patch(Self.smm, namespace: "shop", name: "zeta", patch: .object(["spec": .object(["window": .string("2m")])]))
            await server.waitUntil { $0.object(Self.smm, namespace: "shop", name: "zeta")?["status"]?["observedGeneration"] == .number(2) }
            let updated = try #require(harness.object(Self.key("zeta")))
            #expect(updated.generation == 2)
            #expect(updated.condition("Ready")?["observedGeneration"] == .number(2))
            #expect(updated.condition("Ready")?["lastTransitionTime"] == readySince)

            // Deleting the winner hands the alias to the loser: it becomes Ready (one more event).
            try server.remove(Self.smm, namespace: "shop", name: "zeta")
            await server.waitUntil { $0.object(Self.smm, namespace: "shop", name: "alpha")?.condition("Ready")?["status"]?.stringValue == "True" }
            await harness.settle(harness.caughtUp([Self.key("alpha")]))
            #expect(harness.object(Self.key("alpha"))?.condition("Conflicting")?["status"]?.stringValue == "False")
            events = await harness.events().map(\.description).sorted()
            #expect(events == [
                "alpha:Conflict:Warning", "alpha:Serving:Normal", "broken:InvalidSpec:Warning", "global:Serving:Normal",
                "zeta:Serving:Normal",
            ])
        }
    }

    @Test func creationTimeTiesAreBrokenByName() async throws {
        try await Self.withHarness(creationRepeats: 1_000) { harness in
            try harness.server.seed(Self.smm, namespace: "shop", object: Self.mapping("zeta", alias: "orders"))
            try harness.server.seed(Self.smm, namespace: "shop", object: Self.mapping("alpha", alias: "orders"))
            let snapshot = await harness.settle(harness.caughtUp([Self.key("zeta"), Self.key("alpha")]))
            #expect(snapshot.summary[Self.key("alpha")] == "ready")
            #expect(snapshot.summary[Self.key("zeta")] == "conflicting:\(Self.key("alpha"))")
            await harness.server.waitUntil { $0.object(Self.smm, namespace: "shop", name: "zeta")?.condition("Conflicting")?["status"]?.stringValue == "True" }
            let message = harness.object(Self.key("zeta"))?.condition("Conflicting")?["message"]?.stringValue ?? ""
            #expect(message.contains("SysdigMetricMapping shop/alpha"))
        }
    }

    @Test func aReconcileWithoutChangesWritesNothing() async throws {
        try await Self.withHarness { harness in
            let server = harness.server
            for name in ["a", "b"] { try server.seed(Self.smm, namespace: "shop", object: Self.mapping(name, alias: name)) }
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("c", alias: "a"))
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("d", alias: "d", valid: false))
            await server.waitUntil { snapshot in
                ["a", "b", "c", "d"].allSatisfy { snapshot.object(Self.smm, namespace: "shop", name: $0)?["status"] != nil }
            }
            await harness.settle(harness.caughtUp([Self.key("a"), Self.key("b"), Self.key("c")]))
            let writes = harness.statusWrites
            #expect(writes == 4)
            #expect(harness.writer.writeCount == 4)
            let events = await harness.events().count

            // Force a full relist (every object reconciled again), then an unrelated change.
            let before = server.requests.count
            server.disconnectAllWatches()
            server.compact()
            await server.waitUntil { $0.requests.dropFirst(before).filter { $0.query["limit"] != nil }.count >= 2 }
            try server.seed(Self.smm, namespace: "blog", object: Self.mapping("e", alias: "e", namespace: "blog"))
            await server.waitUntil { $0.object(Self.smm, namespace: "blog", name: "e")?["status"] != nil }
            await harness.settle(harness.caughtUp([Self.key("a"), Self.key("b"), Self.key("c"), Self.key("e", "blog")]))
            #expect(harness.statusWrites == writes + 1)
            #expect(await harness.events().count == events + 1)
        }
    }

    @Test func statusWritesSurviveConflictsAndServerErrors() async throws {
        try await Self.withHarness { harness in
            let server = harness.server
            server.injectFaults(count: 2, status: 409, pathContains: "/status")
            server.injectFaults(count: 2, status: 500, pathContains: "/status")
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("a", alias: "a"))
            await server.waitUntil { $0.object(Self.smm, namespace: "shop", name: "a")?.condition("Ready")?["status"]?.stringValue == "True" }
            #expect(harness.statusWrites == 5)  // 409, 409, 500, 500, then success
            await harness.settle(harness.caughtUp([Self.key("a")]))
            #expect(harness.writer.writeCount == 1)
            #expect(await harness.events().map(\.description) == ["a:Serving:Normal"])
        }
    }

    @Test func onlyTheLeaderWritesAndANewLeaderCatchesUp() async throws {
        let leading = Mutex(false)
        try await Self.withHarness(isLeader: { leading.withLock { $0 } }) { harness in
            try harness.server.seed(Self.smm, namespace: "shop", object: Self.mapping("a", alias: "a"))
            await harness.settle(harness.caughtUp([Self.key("a")]))
            #expect(harness.statusWrites == 0)
            leading.withLock { $0 = true }
            harness.writer.resync()
            await harness.server.waitUntil { $0.object(Self.smm, namespace: "shop", name: "a")?["status"] != nil }
            await harness.writer.waitUntilIdle()
            #expect(harness.statusWrites == 1)
        }
    }

    @Test func aStatusStillInFlightIsNotWrittenTwice() async throws {
        let gate = GatedSleeper()
        let hold: @Sendable (String) async -> Void = { name in
            if name == "b" { try? await gate.sleeper(.zero) }
        }
        try await Self.withHarness(writerAPI: { HookedAPI(base: $0, beforeMergePatch: hold) }) { harness in
            let server = harness.server
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("a", alias: "a"))
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("b", alias: "b"))
            await gate.waitForSleepers(1)  // b's write is on its way, held
            // a's write comes back through the watch and is reconciled while b still looks unwritten.
            await server.waitUntil { $0.object(Self.smm, namespace: "shop", name: "a")?["status"] != nil }
            // And an unrelated change is reconciled too, whatever the order of the events above.
            try server.seed(Self.smm, namespace: "blog", object: Self.mapping("c", alias: "c", namespace: "blog"))
            let seen = await harness.store.waitUntil(harness.caughtUp([Self.key("a"), Self.key("c", "blog")]))
            await harness.controller.waitForPublish(count: seen.version)
            gate.open()
            await server.waitUntil { snapshot in
                ["a", "b"].allSatisfy { snapshot.object(Self.smm, namespace: "shop", name: $0)?["status"] != nil }
                    && snapshot.object(Self.smm, namespace: "blog", name: "c")?["status"] != nil
            }
            await harness.settle(harness.caughtUp([Self.key("a"), Self.key("b"), Self.key("c", "blog")]))
            #expect(harness.statusWrites == 3)
            #expect(await harness.events().map(\.description).sorted() == [
                "a:Serving:Normal", "b:Serving:Normal", "c:Serving:Normal",
            ])
        }
    }
}
