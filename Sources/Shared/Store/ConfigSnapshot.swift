import Foundation

/// An immutable view of the whole configuration. Readers take one snapshot per
/// request and never block writers.
public struct ConfigSnapshot: Sendable {
    /// Increases by one with every publish.
    public let version: Int
    /// Every known mapping object, valid or not.
    public let entries: [MappingKey: MappingEntry]
    private let clusterAliases: [String: CompiledMapping]
    private let namespacedAliases: [String: [String: CompiledMapping]]

    /// The empty configuration before the first load.
    public static let empty = ConfigSnapshot(version: 0, entries: [:], cluster: [:], namespaced: [:])

    private init(
        version: Int, entries: [MappingKey: MappingEntry], cluster: [String: CompiledMapping],
        namespaced: [String: [String: CompiledMapping]]
    ) {
        self.version = version
        self.entries = entries
        self.clusterAliases = cluster
        self.namespacedAliases = namespaced
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
    /// recompile only what changed.
    public static func build(
        version: Int,
        compiled: [(result: Result<CompiledMapping, MappingDecodingError>, mapping: MetricMapping, origin: String?)],
        invalid: [(key: MappingKey, problems: [FieldProblem], origin: String?)] = []
    ) -> ConfigSnapshot {
        var entries: [MappingKey: MappingEntry] = [:]
        for item in invalid {
            entries[item.key] = MappingEntry(key: item.key, mapping: nil, state: .invalid(item.problems), origin: item.origin)
        }
        var candidates: [String: [CompiledMapping]] = [:]  // scope + alias → compiled
        var origins: [MappingKey: String?] = [:]
        for (result, mapping, origin) in compiled {
            origins[mapping.key] = origin
            switch result {
            case .success(let compiled):
                candidates[scopeKey(compiled), default: []].append(compiled)
            case .failure(let error):
                entries[mapping.key] = MappingEntry(
                    key: mapping.key, mapping: mapping, state: .invalid(error.problems), origin: origin)
            }
        }
        var cluster: [String: CompiledMapping] = [:]
        var namespaced: [String: [String: CompiledMapping]] = [:]
        for (_, group) in candidates {
            let ordered = group.sorted(by: precedes)
            guard let winner = ordered.first else { continue }
            for loser in ordered.dropFirst() {
                entries[loser.key] = MappingEntry(
                    key: loser.key, mapping: MetricMapping(kind: loser.key.kind, metadata: loser.metadata, spec: loser.spec),
                    state: .conflicting(winner: winner.key), origin: origins[loser.key] ?? nil)
            }
            entries[winner.key] = MappingEntry(
                key: winner.key, mapping: MetricMapping(kind: winner.key.kind, metadata: winner.metadata, spec: winner.spec),
                state: .ready(winner), origin: origins[winner.key] ?? nil)
            if let namespace = winner.key.namespace {
                namespaced[namespace, default: [:]][winner.alias] = winner
            } else {
                cluster[winner.alias] = winner
            }
        }
        return ConfigSnapshot(version: version, entries: entries, cluster: cluster, namespaced: namespaced)
    }

    private static func scopeKey(_ mapping: CompiledMapping) -> String {
        "\(mapping.key.namespace ?? "")\u{0}\(mapping.alias)"
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
        if let namespace, let local = namespacedAliases[namespace]?[alias] { return local }
        return clusterAliases[alias]
    }

    /// All serving mappings, cluster ones first, in a stable order.
    public var readyMappings: [CompiledMapping] {
        let namespaced = namespacedAliases.values.flatMap(\.values)
        return (Array(clusterAliases.values) + namespaced).sorted { $0.key < $1.key }
    }

    /// Entries sorted by key, for reports.
    public var sortedEntries: [MappingEntry] { entries.values.sorted { $0.key < $1.key } }

    /// Whether any mapping (at any scope) serves `alias`.
    public func hasAlias(_ alias: String) -> Bool {
        clusterAliases[alias] != nil || namespacedAliases.values.contains { $0[alias] != nil }
    }
}
