import Foundation
@testable import Operator
import Shared
import Testing
import TestSupport

/// Property: whatever sequence of creates, updates and deletes (of both kinds, in
/// several namespaces) happens, with API-server restarts (every watch cut at once) and
/// history compacted at random points (forcing 410 → relist, as an ERROR event or an
/// HTTP 410, with deletions missed while disconnected), and lists and watches answered
/// with 429 + Retry-After or 5xx at random, the store ends up exactly where the
/// server's objects say it should.
@Suite(.timeLimit(.minutes(1))) struct MappingConvergenceTests {
    static let scopes: [String?] = ["shop", "blog", nil]
    static let names = ["m0", "m1", "m2", "m3"]
    static let aliases = ["alias_a", "alias_b", "alias_c"]

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func randomOperationsConverge(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let server = KubeAPITestServer(now: TickingDates(repeats: 2).now)  // creation-time ties happen too
        try await server.withRunning { port in
            let client = try KubernetesClient(configuration: server.configuration(port: port))
            // The watchers' own client does not retry: 429 and 5xx reach the watch loop,
            // which must back off (with the recording sleeper, never really sleeping) and recover.
            let watchClient = try KubernetesClient(configuration: server.configuration(port: port, maxRetries: 0))
            server.setExpiredWatchMode(Bool.random(using: &random) ? .errorEvent : .httpStatus)
            let store = ConfigStore()
            let sleeper = RecordingSleeper(budget: 800)
            let controller = MappingController(
                api: watchClient, store: store, logger: quietLogger(), pageSize: Int.random(in: 1...3, using: &random),
                sleep: sleeper.sleeper)
            try await withRunning([controller]) {
                var faults = 0
                for _ in 0..<60 {
                    if try await Self.step(client: client, server: server, random: &random) { faults += 1 }
                }
                let expected = Self.expected(server)
                // The states and every served alias must converge: a last patch that only
                // renames an alias leaves the summary unchanged, so waiting on it alone races.
                let snapshot = await store.waitUntil { $0.summary == expected && Self.aliasesMatch($0, server) }
                #expect(snapshot.summary == expected)
                // Every served alias resolves to the object the server holds now.
                for mapping in snapshot.readyMappings {
                    let resource = KubeGVR.mappings(mapping.key.kind)
                    let object = server.object(resource, namespace: mapping.key.namespace, name: mapping.key.name)
                    #expect(object?["spec"]?["metricName"]?.stringValue == mapping.alias)
                }
                #expect(sleeper.recorded.count < sleeper.budget)
                #expect(faults > 0, "the sequence injected throttling or server errors")
            }
            try await client.shutdown()
            try await watchClient.shutdown()
        }
    }

    /// Every ready mapping's alias is the one the server's object holds now.
    static func aliasesMatch(_ snapshot: ConfigSnapshot, _ server: KubeAPITestServer) -> Bool {
        snapshot.readyMappings.allSatisfy { mapping in
            let object = server.object(KubeGVR.mappings(mapping.key.kind), namespace: mapping.key.namespace, name: mapping.key.name)
            return object?["spec"]?["metricName"]?.stringValue == mapping.alias
        }
    }

    /// One random operation through the real client, or a fault: an API-server restart
    /// (all watches cut), a compaction, or throttling / server errors on lists and watches.
    /// Returns whether it injected 429s or 5xx.
    @discardableResult
    static func step(client: KubernetesClient, server: KubeAPITestServer, random: inout SplitMix64) async throws -> Bool {
        let scope = scopes.randomElement(using: &random) ?? nil
        let resource = KubeGVR.mappings(scope == nil ? .cluster : .namespaced)
        let name = names.randomElement(using: &random) ?? "m0"
        let exists = server.object(resource, namespace: scope, name: name) != nil
        switch Int.random(in: 0..<13, using: &random) {
        case 0:
            server.disconnectAllWatches()
        case 1:
            server.compact()
        case 2:
            server.disconnectAllWatches()
            server.compact()
        case 10, 11:
            injectFault(server, random: &random)
            return true
        case 12:
            // An API-server restart: every watch is cut at once and the first requests
            // afterwards fail while it comes back.
            injectFault(server, random: &random)
            server.disconnectAllWatches()
            return true
        case 3 where exists, 4 where exists:
            try await client.delete(resource, namespace: scope, name: name)
        case 5 where exists, 6 where exists:
            let patch = spec(random: &random)
            _ = try await client.mergePatch(
                resource, namespace: scope, name: name, subresource: nil, patch: .object(["spec": patch]))
        default:
            if exists { return false }
            let object = mappingObject(name, namespace: scope).setting(["spec"], to: spec(random: &random))
            _ = try await client.create(resource, namespace: scope, object: object)
        }
        return false
    }

    /// 429 with Retry-After, or 500/503, for the next one to three lists or watches (only
    /// the watchers' requests carry `?limit` or `watch=true`, so the test's own writes pass).
    static func injectFault(_ server: KubeAPITestServer, random: inout SplitMix64) {
        let target = ["?limit", "watch=true"].randomElement(using: &random) ?? "watch=true"
        let count = Int.random(in: 1...3, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0: server.injectFaults(count: count, status: 429, retryAfter: Int.random(in: 1...5, using: &random), pathContains: target)
        case 1: server.injectFaults(count: count, status: 500, pathContains: target)
        default: server.injectFaults(count: count, status: 503, retryAfter: 1, pathContains: target)
        }
    }

    /// A spec with a random alias; one in four lacks a backend (invalid).
    static func spec(random: inout SplitMix64) -> JSONValue {
        var fields: [String: JSONValue] = [
            "metricName": .string(aliases.randomElement(using: &random) ?? "alias_a"),
            "objects": .array([.object(["resource": .string("pods")])]),
            "sysdig": .object(["metric": .string("net.http.request.count")]),
        ]
        if Int.random(in: 0..<4, using: &random) == 0 { fields["sysdig"] = nil }
        return .object(fields)
    }

    /// What the store must say, computed from the server's objects: invalid when the
    /// document does not decode and compile; among valid ones with the same alias in
    /// the same scope the oldest (creationTimestamp, then namespace/name) is ready and
    /// the others conflict with it.
    static func expected(_ server: KubeAPITestServer) -> [MappingKey: String] {
        var result: [MappingKey: String] = [:]
        var candidates: [String: [(created: String, key: MappingKey)]] = [:]
        for resource in [KubeGVR.sysdigMetricMappings, .clusterSysdigMetricMappings] {
            for scope in scopes where (scope == nil) != resource.namespaced {
                for name in names {
                    guard let object = server.object(resource, namespace: scope, name: name) else { continue }
                    let key = MappingKey(kind: resource.namespaced ? .namespaced : .cluster, namespace: scope, name: name)
                    let compiles: Bool = {
                        guard case .success(let mapping) = MappingDecoder.decode(object, defaultNamespace: nil) else { return false }
                        if case .success = CompiledMapping.compile(mapping) { return true }
                        return false
                    }()
                    guard compiles, let alias = object["spec"]?["metricName"]?.stringValue,
                        let created = object["metadata"]?["creationTimestamp"]?.stringValue
                    else {
                        result[key] = "invalid"
                        continue
                    }
                    candidates["\(scope ?? "")/\(alias)", default: []].append((created, key))
                }
            }
        }
        for group in candidates.values {
            let ordered = group.sorted { ($0.created, $0.key.namespace ?? "", $0.key.name) < ($1.created, $1.key.namespace ?? "", $1.key.name) }
            guard let winner = ordered.first?.key else { continue }
            result[winner] = "ready"
            for loser in ordered.dropFirst() { result[loser.key] = "conflicting:\(winner)" }
        }
        return result
    }
}

extension MappingConvergenceTests {
    /// 429 with Retry-After and 500s on lists and watches: the watchers back off (honouring
    /// Retry-After, without really sleeping) and still converge.
    @Test func throttlingAndServerErrorsStillConverge() async throws {
        let server = KubeAPITestServer(now: TickingDates().now)
        try await server.withRunning { port in
            // No client-side retries: the watcher itself must handle 429 and 5xx.
            let client = try KubernetesClient(configuration: server.configuration(port: port, maxRetries: 0))
            for name in ["m0", "m1"] {
                try server.seed(.sysdigMetricMappings, namespace: "shop", object: mappingObject(name, namespace: "shop"))
            }
            try server.seed(.clusterSysdigMetricMappings, object: mappingObject("m2", namespace: nil))
            server.injectFaults(count: 2, status: 429, retryAfter: 7, pathContains: "/sysdigmetricmappings?limit")
            server.injectFaults(count: 3, status: 500, pathContains: "/clustersysdigmetricmappings?")
            let sleeper = RecordingSleeper(budget: 200)
            let store = ConfigStore()
            let controller = MappingController(api: client, store: store, logger: quietLogger(), sleep: sleeper.sleeper)
            try await withRunning([controller]) {
                await controller.waitUntilSynced()
                #expect(store.snapshot.summary == Self.expected(server))
                #expect(sleeper.recorded.filter { $0 == .seconds(7) }.count == 2)

                server.injectFaults(count: 1, status: 429, retryAfter: 3, pathContains: "watch=true")
                server.injectFaults(count: 4, status: 500, pathContains: "watch=true")
                server.injectFaults(count: 2, status: 503, retryAfter: 1, pathContains: "?limit")
                server.disconnectAllWatches()
                try server.remove(.sysdigMetricMappings, namespace: "shop", name: "m0")
                try server.seed(.sysdigMetricMappings, namespace: "blog", object: mappingObject("m3", namespace: "blog"))
                try server.patch(.clusterSysdigMetricMappings, name: "m2", patch: .object(["spec": .object(["sysdig": .null])]))
                server.compact()
                let expected = Self.expected(server)
                #expect(expected.count == 3)
                #expect(expected.values.contains("invalid"))
                await store.waitUntil { $0.summary == expected }
                #expect(sleeper.recorded.contains(.seconds(3)))
                #expect(sleeper.recorded.count < sleeper.budget)
            }
            try await client.shutdown()
        }
    }
}
