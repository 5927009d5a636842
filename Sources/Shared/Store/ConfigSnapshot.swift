import Foundation

/// An immutable view of the whole configuration. Readers take one snapshot per
/// request and never block writers.
public struct ConfigSnapshot: Sendable {
    /// Increases by one with every publish.
    public let version: Int
    /// Every known mapping object, valid or not.
    public let entries: [MappingKey: MappingEntry]
    /// What changed since the snapshot this one was derived from; nil after a full `build`
    /// (then anything may have changed).
    public let changes: ConfigChanges?
    let aliases: AliasTable
    /// Valid mappings per (scope, alias), in precedence order: the first one serves.
    let groups: [AliasGroupKey: [CompiledMapping]]

    /// The empty configuration before the first load.
    public static let empty = ConfigSnapshot(version: 0, entries: [:], changes: nil, aliases: AliasTable(), groups: [:])

    init(
        version: Int, entries: [MappingKey: MappingEntry], changes: ConfigChanges?, aliases: AliasTable,
        groups: [AliasGroupKey: [CompiledMapping]]
    ) {
        self.version = version
        self.entries = entries
        self.changes = changes
        self.aliases = aliases
        self.groups = groups
    }

    /// Builds a snapshot: compiles every mapping, then resolves conflicts. Among
    /// mappings with the same alias at the same scope the oldest wins
    /// (creationTimestamp, then namespace/name), so every replica picks the same one.
    public static func build(
        version: Int, mappings: [(mapping: MetricMapping, origin: String?)],
        invalid: [(key: MappingKey, problems: [FieldProblem], origin: String?)] = []
    ) -> ConfigSnapshot {
        build(
            version: version,
            compiled: mappings.map { (CompiledMapping.compile($0.mapping), $0.mapping, $0.origin) },
            invalid: invalid)
    }

    /// Builds a snapshot from mappings compiled beforehand, so a watch loop can
    /// recompile only what changed. The reference for `applying(version:changes:touched:)`.
    public static func build(
        version: Int,
        compiled: [(result: Result<CompiledMapping, MappingDecodingError>, mapping: MetricMapping, origin: String?)],
        invalid: [(key: MappingKey, problems: [FieldProblem], origin: String?)] = []
    ) -> ConfigSnapshot {
        var entries: [MappingKey: MappingEntry] = [:]
        for item in invalid {
            entries[item.key] = MappingEntry(key: item.key, mapping: nil, state: .invalid(item.problems), origin: item.origin)
        }
        var candidates: [AliasGroupKey: [CompiledMapping]] = [:]
        var origins: [MappingKey: String?] = [:]
        for (result, mapping, origin) in compiled {
            origins[mapping.key] = origin
            switch result {
            case .success(let compiled):
                candidates[AliasGroupKey(compiled), default: []].append(compiled)
            case .failure(let error):
                entries[mapping.key] = MappingEntry(
                    key: mapping.key, mapping: mapping, state: .invalid(error.problems), origin: origin)
            }
        }
        var aliases = AliasTable()
        var groups: [AliasGroupKey: [CompiledMapping]] = [:]
        for (group, members) in candidates {
            let ordered = members.sorted(by: precedes)
            groups[group] = ordered
            resolve(group, ordered, origin: { origins[$0] ?? nil }, entries: &entries, aliases: &aliases)
        }
        return ConfigSnapshot(version: version, entries: entries, changes: nil, aliases: aliases, groups: groups)
    }

    /// Settles one (scope, alias) group whose members are in precedence order: the
    /// first serves, the others conflict with it. An empty group serves nothing.
    static func resolve(
        _ group: AliasGroupKey, _ ordered: [CompiledMapping], origin: (MappingKey) -> String?,
        entries: inout [MappingKey: MappingEntry], aliases: inout AliasTable
    ) {
        guard let winner = ordered.first else {
            aliases.set(group, nil)
            return
        }
        for loser in ordered.dropFirst() {
            entries[loser.key] = MappingEntry(
                key: loser.key, mapping: MetricMapping(kind: loser.key.kind, metadata: loser.metadata, spec: loser.spec),
                state: .conflicting(winner: winner.key), origin: origin(loser.key))
        }
        entries[winner.key] = MappingEntry(
            key: winner.key, mapping: MetricMapping(kind: winner.key.kind, metadata: winner.metadata, spec: winner.spec),
            state: .ready(winner), origin: origin(winner.key))
        aliases.set(group, winner)
    }

    /// Deterministic precedence: older creationTimestamp first, then namespace/name.
    static func precedes(_ lhs: CompiledMapping, _ rhs: CompiledMapping) -> Bool {
        let left = lhs.metadata.creationTimestamp ?? .distantFuture
        let right = rhs.metadata.creationTimestamp ?? .distantFuture
        if left != right { return left < right }
        return lhs.key < rhs.key
    }

    /// The mapping that answers `alias` for a question about `namespace`: a
    /// `SysdigMetricMapping` in that namespace, else a `ClusterSysdigMetricMapping`.
    /// A namespaced mapping never answers for another namespace.
    public func resolve(alias: String, namespace: String?) -> CompiledMapping? {
        if let namespace, let local = aliases.namespaced[namespace]?[alias] { return local }
        return aliases.cluster[alias]
    }

    /// All serving mappings, cluster ones first, in a stable order.
    public var readyMappings: [CompiledMapping] {
        let namespaced = aliases.namespaced.values.flatMap(\.values)
        return (Array(aliases.cluster.values) + namespaced).sorted { $0.key < $1.key }
    }

    /// Entries sorted by key, for reports.
    public var sortedEntries: [MappingEntry] { entries.values.sorted { $0.key < $1.key } }

    /// Whether any mapping (at any scope) serves `alias`.
    public func hasAlias(_ alias: String) -> Bool {
        aliases.cluster[alias] != nil || aliases.namespaced.values.contains { $0[alias] != nil }
    }
}
