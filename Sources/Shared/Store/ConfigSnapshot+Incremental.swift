/// One mapping object's new state, for `ConfigSnapshot.applying(version:changes:touched:)`.
public enum MappingChange: Sendable {
    /// The object is gone.
    case removed
    /// Decoded; compiled (or rejected by compilation).
    case compiled(Result<CompiledMapping, MappingDecodingError>, mapping: MetricMapping, origin: String?)
    /// Too broken to decode.
    case invalid(problems: [FieldProblem], origin: String?)
}

/// The keys whose entry changed between two snapshots.
public struct ConfigChanges: Sendable, Hashable {
    /// The version of the snapshot these changes apply to.
    public let since: Int
    /// Keys whose entry was added, removed or changed (conflict winners and losers that
    /// flipped included), plus keys the caller marked touched.
    public let keys: Set<MappingKey>

    /// - Parameters:
    ///   - since: the version the changes apply to.
    ///   - keys: the keys that changed.
    public init(since: Int, keys: Set<MappingKey>) {
        self.since = since
        self.keys = keys
    }
}

extension ConfigSnapshot {
    /// The next snapshot: this one with `changes` applied. Only the (scope, alias) groups
    /// a changed mapping left or joined are resolved again, with the same rule as `build`,
    /// so the result equals `build` over the full new set.
    ///
    /// - Parameters:
    ///   - changes: new states, keyed by the mapping's key (`MetricMapping.key`).
    ///   - touched: keys to report in `changes` even if their entry did not change (e.g.
    ///     their source object changed in a way the configuration does not show).
    public func applying(
        version: Int, changes: [MappingKey: MappingChange], touched: Set<MappingKey> = []
    ) -> ConfigSnapshot {
        var entries = self.entries
        var groups = self.groups
        var aliases = self.aliases
        var affected: Set<AliasGroupKey> = []
        var origins: [MappingKey: String?] = [:]
        for (key, change) in changes {
            if let group = group(of: key) {
                groups[group]?.removeAll { $0.key == key }
                affected.insert(group)
            }
            entries[key] = nil
            switch change {
            case .removed:
                break
            case .invalid(let problems, let origin):
                entries[key] = MappingEntry(key: key, mapping: nil, state: .invalid(problems), origin: origin)
            case .compiled(.failure(let error), let mapping, let origin):
                entries[key] = MappingEntry(key: key, mapping: mapping, state: .invalid(error.problems), origin: origin)
            case .compiled(.success(let compiled), _, let origin):
                let group = AliasGroupKey(compiled)
                groups[group, default: []].append(compiled)
                affected.insert(group)
                origins[key] = origin
            }
        }
        var candidates = Set(changes.keys)
        for group in affected {
            let ordered = (groups[group] ?? []).sorted(by: Self.precedes)
            groups[group] = ordered.isEmpty ? nil : ordered
            Self.resolve(
                group, ordered, origin: { key in origins[key] ?? self.entries[key]?.origin ?? nil },
                entries: &entries, aliases: &aliases)
            candidates.formUnion(ordered.lazy.map(\.key))
        }
        let changed = candidates.filter { entries[$0] != self.entries[$0] }.union(touched)
        return ConfigSnapshot(
            version: version, entries: entries, changes: ConfigChanges(since: self.version, keys: changed),
            aliases: aliases, groups: groups)
    }

    /// The same configuration with `changes` nil: whoever reads it looks at every entry.
    public func reportingEverythingChanged() -> ConfigSnapshot {
        ConfigSnapshot(version: version, entries: entries, changes: nil, aliases: aliases, groups: groups)
    }

    /// The group a mapping competes in here; nil when it is absent or invalid.
    func group(of key: MappingKey) -> AliasGroupKey? {
        switch entries[key]?.state {
        case .ready(let compiled):
            return AliasGroupKey(compiled)
        case .conflicting(let winner):
            guard case .ready(let compiled) = entries[winner]?.state else { return nil }
            return AliasGroupKey(compiled)
        case .invalid, nil:
            return nil
        }
    }
}
