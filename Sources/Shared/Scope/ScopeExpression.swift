/// A Sysdig scope (the Data API `filter`; docs/sysdig-api.md, "Scope filters, and how the adapter
/// escapes values"): validated terms joined with ` and `.
///
/// `or` and parentheses are not supported because Sysdig does not confirm them.
/// Build one from typed `ScopeTerm`s or parse user text with `parse(_:)`; never by
/// string concatenation.
public struct ScopeExpression: Sendable, Hashable {
    /// The terms, all of which must hold.
    public var terms: [ScopeTerm]

    /// An expression of the given terms (no terms: no restriction).
    public init(terms: [ScopeTerm] = []) {
        self.terms = terms
    }

    /// Parses scope text such as `kubernetes.namespace.name = 'shop' and not app in ("a", 'b')`.
    ///
    /// Keywords are case-insensitive and whitespace is flexible; empty or all-whitespace
    /// text gives an empty expression. Errors carry a 1-based position.
    public static func parse(_ text: String) throws(ScopeError) -> ScopeExpression {
        var parser = ScopeParser(text)
        return try parser.parseExpression()
    }

    /// Canonical text: rendered terms joined with ` and `; `""` when empty.
    public func rendered() -> String {
        terms.map { $0.rendered() }.joined(separator: " and ")
    }

    /// The conjunction of both expressions (this expression's terms first).
    public func and(_ other: ScopeExpression) -> ScopeExpression {
        ScopeExpression(terms: terms + other.terms)
    }

    /// True when there are no terms.
    public var isEmpty: Bool { terms.isEmpty }
}

extension ScopeExpression: CustomStringConvertible {
    /// The rendered expression.
    public var description: String { rendered() }
}
