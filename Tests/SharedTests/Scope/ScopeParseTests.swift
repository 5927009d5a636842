import Testing
@testable import Shared

@Suite struct ScopeParseTests {
    static let rule = " (Sysdig scope values cannot contain quotes, backslashes or control characters)"

    @Test(arguments: [
        ("", ""),
        ("  \n\t ", ""),
        ("kubernetes.namespace.name = 'shop'", "kubernetes.namespace.name = 'shop'"),
        ("a=\"x\"", "a = 'x'"),
        ("a != 'x'", "a != 'x'"),
        ("a!='x'", "a != 'x'"),
        ("a IN ('x','y')", "a in ('x', 'y')"),
        ("a in (  'x' ,\n\"y\"  )", "a in ('x', 'y')"),
        ("NOT a In ('x')", "not a in ('x')"),
        ("not a contains 'x'", "not a contains 'x'"),
        ("a CONTAINS 'x'", "a contains 'x'"),
        ("a Starts \t With 'x'", "a starts with 'x'"),
        ("a = 'x' AND b = 'y'", "a = 'x' and b = 'y'"),
        ("a='x'and b='y'", "a = 'x' and b = 'y'"),
        ("a = ''", "a = ''"),
        ("a = 'x and b = y'", "a = 'x and b = y'"),
        ("a = \"it)s, (ok\"", "a = 'it)s, (ok'"),
        ("a = 'héllo ✓ 🚀'", "a = 'héllo ✓ 🚀'"),
        ("kubernetes.pod.label.app.kubernetes.io/name = 'web'", "kubernetes.pod.label.app.kubernetes.io/name = 'web'"),
        (
            "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.deployment.name in ('web','api')",
            "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.deployment.name in ('web', 'api')"
        ),
    ])
    func parsesToCanonicalForm(text: String, expected: String) throws {
        let parsed = try ScopeExpression.parse(text)
        #expect(parsed.rendered() == expected)
        #expect(try ScopeExpression.parse(expected) == parsed)
    }

    @Test func parsesStructure() throws {
        let parsed = try ScopeExpression.parse("not app in ('a', \"b\") and zone starts with 'eu-'")
        #expect(parsed.terms == [
            try ScopeTerm.notIn("app", ["a", "b"]),
            try ScopeTerm.startsWith("zone", "eu-"),
        ])
    }

    @Test(arguments: [
        ("a 'x'", "expected an operator (=, !=, in, contains, starts with) at position 3"),
        ("namespace1 'x'", "expected an operator (=, !=, in, contains, starts with) at position 12"),
        ("a", "expected an operator (=, !=, in, contains, starts with) at position 2"),
        ("a = x", "expected a quoted value ('...' or \"...\") at position 5"),
        ("a =", "expected a quoted value ('...' or \"...\") at position 4"),
        ("a == 'x'", "expected a quoted value ('...' or \"...\") at position 4"),
        ("a = 'x", "unterminated quoted value starting at position 5"),
        ("a = \"x'", "scope value contains a single quote at position 7" + rule),
        ("a = 'x' or b = 'y'", "'or' is not supported, scope terms can only be joined with 'and' at position 9"),
        ("(a = 'x')", "parentheses for grouping are not supported at position 1"),
        ("a = 'x' and (b = 'y')", "parentheses for grouping are not supported at position 13"),
        ("a = 'x' and", "expected a label at position 12"),
        ("a = 'x' b = 'y'", "expected 'and' or end of expression at position 9"),
        ("a = 'x')", "expected 'and' or end of expression at position 8"),
        ("a = 'it\\'s'", "scope value contains a backslash at position 8" + rule),
        ("a = \"it's\"", "scope value contains a single quote at position 8" + rule),
        ("a = 'x\ny'", "scope value contains a control character (U+000A) at position 7" + rule),
        ("a = 'x\u{2028}'", "scope value contains a line separator (U+2028) at position 7" + rule),
        ("a starts 'x'", "expected 'with' after 'starts' at position 10"),
        ("a not in ('x')", "'not' must come before the label (not <label> in (...)) at position 3"),
        ("in = 'x'", "expected a label, found keyword 'in' at position 1"),
        ("not not a = 'x'", "expected a label, found keyword 'not' at position 5"),
        ("a = 'x' and or", "expected a label, found keyword 'or' at position 13"),
        ("1a = 'x'", "scope label '1a' must start with a letter or '_' at position 1"),
        ("a in 'x'", "expected '(' after 'in' at position 6"),
        ("a in ()", "expected a quoted value ('...' or \"...\") at position 7"),
        ("a in ('x',)", "expected a quoted value ('...' or \"...\") at position 11"),
        ("a in ('x' 'y')", "expected ',' or ')' at position 11"),
        ("a in ('x'", "expected ',' or ')' at position 10"),
        ("a = 'x' && b = 'y'", "unexpected character '&' at position 9"),
        ("a ! 'x'", "unexpected character '!' at position 3"),
        ("é = 'x'", "unexpected character U+00E9 at position 1"),
        ("a = 'é' b", "expected 'and' or end of expression at position 9"),
        ("a = 'x'\u{2028}", "unexpected character U+2028 at position 8"),
        ("= 'x'", "expected a label at position 1"),
    ])
    func rejectsWithPosition(text: String, message: String) {
        #expect {
            _ = try ScopeExpression.parse(text)
        } throws: { error in
            guard let error = error as? ScopeError else { return false }
            return error.message == message && error.description == message && error.position != nil
        }
    }

    @Test func errorCarriesPosition() {
        #expect(throws: ScopeError("expected an operator (=, !=, in, contains, starts with)", position: 12)) {
            try ScopeExpression.parse("namespace1 'x'")
        }
    }
}
