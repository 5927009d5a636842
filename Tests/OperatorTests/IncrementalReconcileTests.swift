import Foundation
@testable import Operator
import Shared
import Testing

/// After the first sync a watch event costs only what it touches: the published
/// snapshot reports exactly the entries that changed, conflict flips included, and
/// a full pass is reported on request.
@Suite(.timeLimit(.minutes(1))) struct IncrementalReconcileTests {
    static let smm = KubeGVR.sysdigMetricMappings

    static func key(_ name: String) -> MappingKey {
        MappingKey(kind: .namespaced, namespace: "shop", name: name)
    }

    static func mapping(_ name: String, alias: String) -> JSONValue {
        mappingObject(name, namespace: "shop").setting(["spec", "metricName"], to: .string(alias))
    }

    @Test func eachPublishReportsOnlyTheEntriesThatChanged() async throws {
        try await withKubeServer { client, _ in
            for index in 0..<20 {
                _ = try await client.create(Self.smm, namespace: "shop", object: Self.mapping("seed-\(index)", alias: "seed_\(index)"))
            }
            let store = ConfigStore()
            let controller = MappingController(
                api: client, store: store, logger: quietLogger(), sleep: RecordingSleeper().sleeper)
            try await withRunning([controller]) {
                await controller.waitUntilSynced()
                #expect(store.snapshot.changes == nil, "the first sync is a full build")
                #expect(store.snapshot.entries.count == 20)

                // "a-old" sorts first, so it wins even if both get the same creation second.
                _ = try await client.create(Self.smm, namespace: "shop", object: Self.mapping("a-old", alias: "rps"))
                var snapshot = await store.waitUntil { $0.entries[Self.key("a-old")] != nil }
                #expect(snapshot.changes?.keys == [Self.key("a-old")])

                _ = try await client.create(Self.smm, namespace: "shop", object: Self.mapping("b-young", alias: "rps"))
                snapshot = await store.waitUntil { $0.entries[Self.key("b-young")] != nil }
                #expect(snapshot.changes?.keys == [Self.key("b-young")])
                #expect(snapshot.entries[Self.key("b-young")]?.state == .conflicting(winner: Self.key("a-old")))

                // The winner leaves: the loser flips to ready and is reported too.
                try await client.delete(Self.smm, namespace: "shop", name: "a-old")
                snapshot = await store.waitUntil { $0.entries[Self.key("a-old")] == nil }
                #expect(snapshot.changes?.keys == [Self.key("a-old"), Self.key("b-young")])
                #expect(snapshot.resolve(alias: "rps", namespace: "shop")?.key == Self.key("b-young"))
                #expect(snapshot.entries.count == 21)

                let before = snapshot.version
                controller.requestReconcile()
                snapshot = await store.waitUntil { $0.version > before }
                #expect(snapshot.changes == nil, "a requested pass looks at everything")
                #expect(snapshot.entries.count == 21)
            }
        }
    }
}
