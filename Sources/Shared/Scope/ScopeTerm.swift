/// A comparison operator of a Sysdig scope term (docs/sysdig-api.md,
/// "Scope filters, and how the adapter escapes values").
public enum ScopeOperator: Sendable, Hashable, CaseIterable {
    /// `label = 'v'`
    case equals
    /// `label != 'v'`
    case notEquals
    /// `label in ('v1', 'v2')`
    case `in`
    /// `label contains 'v'`
    case contains
    /// `label starts with 'v'`
    case startsWith

    /// The operator as written in a scope expression.
    public var token: String {
        switch self {
        case .equals: "="
        case .notEquals: "!="
        case .in: "in"
        case .contains: "contains"
        case .startsWith: "starts with"
        }
    }
}

/// One validated `<label> <op> <value>` term of a Sysdig scope, optionally negated with `not`.
///
/// A term can only be built through a throwing initialiser that checks the label and
/// every value with `ScopeLiteral`, so rendering never needs to fail and user input
/// can never change the structure of the filter.
public struct ScopeTerm: Sendable, Hashable {
    /// The Sysdig label, e.g. `kubernetes.namespace.name`.
    public let label: String
    /// The comparison.
    public let op: ScopeOperator
    /// One value, or one or more for `.in`.
    public let values: [String]
    /// True when the term is prefixed with `not`.
    public let negated: Bool

    /// Validates the label and every value; `.in` needs at least one value, every other operator exactly one.
    public init(label: String, op: ScopeOperator, values: [String], negated: Bool = false) throws(ScopeError) {
        try ScopeLiteral.validateLabel(label)
        switch op {
        case .in where values.isEmpty:
            throw ScopeError("operator 'in' needs at least one value")
        case .equals, .notEquals, .contains, .startsWith:
            if values.count != 1 {
                throw ScopeError("operator '\(op.token)' needs exactly one value, got \(values.count)")
            }
        default:
            break
        }
        for value in values {
            try ScopeLiteral.validateValue(value)
        }
        self.init(validatedLabel: label, op: op, values: values, negated: negated)
    }

    /// For the parser, which has already validated label and values with `ScopeLiteral`.
    init(validatedLabel label: String, op: ScopeOperator, values: [String], negated: Bool) {
        self.label = label
        self.op = op
        self.values = values
        self.negated = negated
    }

    /// `label = 'value'`
    public static func equals(_ label: String, _ value: String) throws(ScopeError) -> ScopeTerm {
        try ScopeTerm(label: label, op: .equals, values: [value])
    }

    /// `label != 'value'`
    public static func notEquals(_ label: String, _ value: String) throws(ScopeError) -> ScopeTerm {
        try ScopeTerm(label: label, op: .notEquals, values: [value])
    }

    /// `label in ('v1', 'v2', ...)`
    public static func isIn(_ label: String, _ values: [String]) throws(ScopeError) -> ScopeTerm {
        try ScopeTerm(label: label, op: .in, values: values)
    }

    /// `not label in ('v1', 'v2', ...)`
    public static func notIn(_ label: String, _ values: [String]) throws(ScopeError) -> ScopeTerm {
        try ScopeTerm(label: label, op: .in, values: values, negated: true)
    }

    /// `label contains 'value'`
    public static func contains(_ label: String, _ value: String) throws(ScopeError) -> ScopeTerm {
        try ScopeTerm(label: label, op: .contains, values: [value])
    }

    /// `label starts with 'value'`
    public static func startsWith(_ label: String, _ value: String) throws(ScopeError) -> ScopeTerm {
        try ScopeTerm(label: label, op: .startsWith, values: [value])
    }

    /// Canonical text, e.g. `kubernetes.namespace.name = 'shop'` or `not a in ('x', 'y')`.
    public func rendered() -> String {
        // Values were validated by ScopeLiteral at construction, so quoting cannot fail here.
        let quoted = values.map(ScopeLiteral.wrap)
        let operand = op == .in ? "(" + quoted.joined(separator: ", ") + ")" : quoted.joined()
        return (negated ? "not " : "") + label + " " + op.token + " " + operand
    }
}

extension ScopeTerm: CustomStringConvertible {
    /// The rendered term.
    public var description: String { rendered() }
}
