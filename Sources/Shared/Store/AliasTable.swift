/// The mappings that compete for one alias: cluster-scoped ones (namespace nil)
/// or the namespaced ones of one namespace.
struct AliasGroupKey: Sendable, Hashable {
    let namespace: String?
    let alias: String

    init(_ mapping: CompiledMapping) {
        namespace = mapping.key.namespace
        alias = mapping.alias
    }
}

/// The serving mapping per alias: cluster-wide, and per namespace.
struct AliasTable: Sendable {
    var cluster: [String: CompiledMapping] = [:]
    var namespaced: [String: [String: CompiledMapping]] = [:]

    /// Makes `winner` serve `group`'s alias at its scope; nil stops serving it there.
    mutating func set(_ group: AliasGroupKey, _ winner: CompiledMapping?) {
        guard let namespace = group.namespace else {
            cluster[group.alias] = winner
            return
        }
        if let winner {
            namespaced[namespace, default: [:]][group.alias] = winner
        } else if namespaced[namespace] != nil {
            namespaced[namespace]?[group.alias] = nil
            if namespaced[namespace]?.isEmpty == true { namespaced[namespace] = nil }
        }
    }
}
