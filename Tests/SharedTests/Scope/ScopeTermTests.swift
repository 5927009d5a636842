import Testing
@testable import Shared

@Suite struct ScopeTermTests {
    static let rule = " (Sysdig scope values cannot contain quotes, backslashes or control characters)"

    @Test(arguments: [
        (try ScopeTerm.equals("kubernetes.namespace.name", "shop"), "kubernetes.namespace.name = 'shop'"),
        (try ScopeTerm.notEquals("a", "x"), "a != 'x'"),
        (try ScopeTerm.isIn("a", ["x", "y"]), "a in ('x', 'y')"),
        (try ScopeTerm.isIn("a", ["x"]), "a in ('x')"),
        (try ScopeTerm.contains("a", "x"), "a contains 'x'"),
        (try ScopeTerm.startsWith("a", "x"), "a starts with 'x'"),
        (try ScopeTerm.notIn("a", ["x"]), "not a in ('x')"),
        (try ScopeTerm(label: "a", op: .contains, values: ["x"], negated: true), "not a contains 'x'"),
        (try ScopeTerm.equals("a", ""), "a = ''"),
        (try ScopeTerm.equals("kubernetes.pod.label.app.kubernetes.io/name", "web"),
         "kubernetes.pod.label.app.kubernetes.io/name = 'web'"),
        (try ScopeTerm.equals("_x-y", "x and b = y) or (c"), "_x-y = 'x and b = y) or (c'"),
        (try ScopeTerm.equals("a", "héllo wörld ✓ 🚀"), "a = 'héllo wörld ✓ 🚀'"),
    ])
    func rendersCanonically(term: ScopeTerm, expected: String) {
        #expect(term.rendered() == expected)
        #expect(term.description == expected)
    }

    @Test(arguments: [
        ("it's", "scope value contains a single quote"),
        ("say \"hi\"", "scope value contains a double quote"),
        ("a\\b", "scope value contains a backslash"),
        ("a\nb", "scope value contains a control character (U+000A)"),
        ("a\rb", "scope value contains a control character (U+000D)"),
        ("a\tb", "scope value contains a control character (U+0009)"),
        ("\u{0}", "scope value contains a control character (U+0000)"),
        ("\u{7F}", "scope value contains a control character (U+007F)"),
        ("\u{85}", "scope value contains a control character (U+0085)"),
        ("a\u{2028}b", "scope value contains a line separator (U+2028)"),
        ("a\u{2029}b", "scope value contains a paragraph separator (U+2029)"),
    ])
    func refusesUnsafeValues(value: String, message: String) {
        let expected = ScopeError(message + Self.rule)
        #expect(throws: expected) { try ScopeTerm.equals("a", value) }
        #expect(throws: expected) { try ScopeTerm.isIn("a", ["ok", value]) }
        #expect(throws: expected) { try ScopeLiteral.quote(value) }
    }

    @Test(arguments: [
        ("", "scope label must not be empty"),
        ("1abc", "scope label '1abc' must start with a letter or '_'"),
        ("-a", "scope label '-a' must start with a letter or '_'"),
        ("a b", "scope label contains U+0020, which is not allowed; use ASCII letters, digits, '_', '.', '-' and '/'"),
        ("a'b", "scope label contains U+0027, which is not allowed; use ASCII letters, digits, '_', '.', '-' and '/'"),
        ("a=b", "scope label contains '=', which is not allowed; use ASCII letters, digits, '_', '.', '-' and '/'"),
        ("é", "scope label contains U+00E9, which is not allowed; use ASCII letters, digits, '_', '.', '-' and '/'"),
        ("in", "scope label 'in' is a reserved keyword"),
        ("AND", "scope label 'AND' is a reserved keyword"),
        ("Not", "scope label 'Not' is a reserved keyword"),
        ("with", "scope label 'with' is a reserved keyword"),
        ("or", "scope label 'or' is a reserved keyword"),
    ])
    func refusesInvalidLabels(label: String, message: String) {
        #expect(throws: ScopeError(message)) { try ScopeTerm.equals(label, "x") }
    }

    @Test func checksValueCounts() {
        #expect(throws: ScopeError("operator 'in' needs at least one value")) {
            try ScopeTerm.isIn("a", [])
        }
        #expect(throws: ScopeError("operator '=' needs exactly one value, got 2")) {
            try ScopeTerm(label: "a", op: .equals, values: ["x", "y"])
        }
        #expect(throws: ScopeError("operator 'starts with' needs exactly one value, got 0")) {
            try ScopeTerm(label: "a", op: .startsWith, values: [])
        }
    }

    @Test func quoteWrapsInSingleQuotes() throws {
        #expect(try ScopeLiteral.quote("shop") == "'shop'")
        #expect(try ScopeLiteral.quote("") == "''")
    }

    @Test func expressionRendersAndCombines() throws {
        let namespace = ScopeExpression(terms: [try .equals("kubernetes.namespace.name", "shop")])
        let extra = ScopeExpression(terms: [try .isIn("kubernetes.deployment.name", ["web", "api"])])
        #expect(ScopeExpression().rendered() == "")
        #expect(ScopeExpression().isEmpty)
        #expect(!namespace.isEmpty)
        #expect(namespace.and(extra).rendered()
            == "kubernetes.namespace.name = 'shop' and kubernetes.deployment.name in ('web', 'api')")
        #expect(namespace.and(ScopeExpression()) == namespace)
        #expect(ScopeExpression().and(extra) == extra)
    }
}
