/// What became of one mapping object in the current configuration.
public enum MappingState: Sendable, Hashable {
    /// Valid and serving its alias.
    case ready(CompiledMapping)
    /// Rejected; the problems say why.
    case invalid([FieldProblem])
    /// Valid, but another mapping owns the alias at the same scope.
    case conflicting(winner: MappingKey)

    public var isReady: Bool {
        if case .ready = self { return true }
        return false
    }

    /// One line for logs, `explain` and status messages.
    public var summary: String {
        switch self {
        case .ready: "ready"
        case .invalid(let problems): "invalid: " + problems.map(\.description).joined(separator: "; ")
        case .conflicting(let winner): "conflicting: the alias is owned by \(winner)"
        }
    }
}

/// One mapping object and its state.
public struct MappingEntry: Sendable, Hashable {
    public let key: MappingKey
    /// Nil when the document was too broken to decode.
    public let mapping: MetricMapping?
    public let state: MappingState
    /// Where it came from (a file path in files mode), for reports.
    public let origin: String?
}
