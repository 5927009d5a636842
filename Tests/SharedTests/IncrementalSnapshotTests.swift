import Foundation
import Testing

@testable import Shared
@testable import TestSupport

/// `ConfigSnapshot.applying` against the reference `build`: random sequences of adds,
/// updates, deletes, alias changes, namespace mixes, invalid objects and conflicts
/// (shared aliases, equal creation times) must give the same snapshot after every step.
@Suite struct IncrementalSnapshotTests {
    /// One object as the model holds it.
    enum Object {
        case valid(MetricMapping)
        case broken([FieldProblem])
    }

    static let namespaces: [String?] = [nil, "a", "b", "c"]
    static let aliases = ["rps", "lat", "err", "cpu"]
    static let names = ["m0", "m1", "m2", "m3", "m4", "m5"]

    static func randomObject(_ key: MappingKey, random: inout SplitMix64) -> Object {
        let roll = Int.random(in: 0..<10, using: &random)
        if roll == 0 { return .broken([FieldProblem("spec", "broken \(random.next() % 3)")]) }
        // A bad scope decodes but fails to compile.
        let scope = roll == 1 ? "((" : nil
        // Few distinct times so ties (broken by key) are common; sometimes none.
        let created: Date? = Int.random(in: 0..<6, using: &random) == 0
            ? nil : Date(timeIntervalSince1970: Double(Int.random(in: 0..<3, using: &random)) * 60)
        let metadata = ObjectMeta(
            name: key.name, namespace: key.namespace, resourceVersion: "\(random.next() % 1000)",
            creationTimestamp: created)
        let spec = MappingSpec(
            metricName: aliases.randomElement(using: &random) ?? "rps",
            sysdig: SysdigBackendSpec(metric: "net.http.request.count", scope: scope),
            objects: [ObjectTarget(resource: "pods")])
        return .valid(MetricMapping(kind: key.kind, metadata: metadata, spec: spec))
    }

    static func change(_ object: Object?, key: MappingKey, origin: String?) -> MappingChange {
        switch object {
        case nil: .removed
        case .broken(let problems): .invalid(problems: problems, origin: origin)
        case .valid(let mapping): .compiled(CompiledMapping.compile(mapping), mapping: mapping, origin: origin)
        }
    }

    static func reference(_ model: [MappingKey: Object], version: Int) -> ConfigSnapshot {
        var compiled: [(result: Result<CompiledMapping, MappingDecodingError>, mapping: MetricMapping, origin: String?)] = []
        var invalid: [(key: MappingKey, problems: [FieldProblem], origin: String?)] = []
        for (key, object) in model {
            switch object {
            case .valid(let mapping): compiled.append((CompiledMapping.compile(mapping), mapping, origin(key)))
            case .broken(let problems): invalid.append((key, problems, origin(key)))
            }
        }
        return ConfigSnapshot.build(version: version, compiled: compiled, invalid: invalid)
    }

    static func origin(_ key: MappingKey) -> String? {
        key.name == "m0" ? nil : "file-\(key.name)"
    }

    static func expectSame(_ incremental: ConfigSnapshot, _ reference: ConfigSnapshot, step: Int) {
        #expect(incremental.entries == reference.entries, "step \(step)")
        #expect(incremental.readyMappings == reference.readyMappings, "step \(step)")
        for alias in aliases + ["none"] {
            #expect(incremental.hasAlias(alias) == reference.hasAlias(alias), "step \(step)")
            for namespace in namespaces + ["elsewhere"] {
                #expect(
                    incremental.resolve(alias: alias, namespace: namespace)
                        == reference.resolve(alias: alias, namespace: namespace), "step \(step) \(alias) \(namespace ?? "-")")
            }
        }
    }

    @Test(arguments: 1...12 as ClosedRange<UInt64>)
    func incrementalEqualsBuildAfterEveryStep(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var model: [MappingKey: Object] = [:]
        var snapshot = ConfigSnapshot.empty
        for step in 1...150 {
            var changes: [MappingKey: MappingChange] = [:]
            // Mostly single-object events, sometimes a burst (a coalesced pass or a relist).
            let count = Int.random(in: 0..<5, using: &random) == 0 ? Int.random(in: 2...8, using: &random) : 1
            for _ in 0..<count {
                let namespace = Self.namespaces.randomElement(using: &random) ?? nil
                let key = MappingKey(
                    kind: namespace == nil ? .cluster : .namespaced, namespace: namespace,
                    name: Self.names.randomElement(using: &random) ?? "m0")
                let object: Object? = Int.random(in: 0..<4, using: &random) == 0 ? nil : Self.randomObject(key, random: &random)
                model[key] = object
                changes[key] = Self.change(object, key: key, origin: Self.origin(key))
            }
            let next = snapshot.applying(version: step, changes: changes)
            let expected = Self.reference(model, version: step)
            Self.expectSame(next, expected, step: step)
            let differing = Set(snapshot.entries.keys).union(next.entries.keys).filter {
                snapshot.entries[$0] != next.entries[$0]
            }
            #expect(next.changes == ConfigChanges(since: step - 1, keys: differing), "step \(step)")
            #expect(next.version == step)
            snapshot = next
        }
    }

    @Test func aLoserTakesOverWhenTheWinnerLeavesAndTouchedKeysAreReported() {
        func mapping(_ name: String, _ alias: String, minute: Double) -> MetricMapping {
            MetricMapping(
                kind: .namespaced,
                metadata: ObjectMeta(name: name, namespace: "a", creationTimestamp: Date(timeIntervalSince1970: minute * 60)),
                spec: MappingSpec(
                    metricName: alias, sysdig: SysdigBackendSpec(metric: "m"), objects: [ObjectTarget(resource: "pods")]))
        }
        let old = mapping("old", "rps", minute: 1)
        let young = mapping("young", "rps", minute: 2)
        let first = ConfigSnapshot.empty.applying(version: 1, changes: [
            old.key: .compiled(CompiledMapping.compile(old), mapping: old, origin: nil),
            young.key: .compiled(CompiledMapping.compile(young), mapping: young, origin: nil),
        ])
        #expect(first.entries[young.key]?.state == .conflicting(winner: old.key))
        // The winner changes alias: it leaves the group, the loser now serves.
        let moved = mapping("old", "lat", minute: 1)
        let untouched = MappingKey(kind: .cluster, namespace: nil, name: "other")
        let second = first.applying(
            version: 2, changes: [moved.key: .compiled(CompiledMapping.compile(moved), mapping: moved, origin: nil)],
            touched: [untouched])
        #expect(second.resolve(alias: "rps", namespace: "a")?.key == young.key)
        #expect(second.resolve(alias: "lat", namespace: "a")?.key == old.key)
        #expect(second.changes == ConfigChanges(since: 1, keys: [old.key, young.key, untouched]))
    }
}
