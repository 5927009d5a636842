import Testing
@testable import Shared

@Suite struct LabelSelectorParseTests {
    static let nameRule = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let valueRule = "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

    @Test(arguments: [
        ("", ""),
        (" \t\n", ""),
        ("a=b", "a=b"),
        ("a==b", "a=b"),
        ("a = b", "a=b"),
        ("a!=b", "a!=b"),
        ("a", "a"),
        ("!a", "!a"),
        ("! a", "!a"),
        ("k>5", "k>5"),
        ("k < 10", "k<10"),
        ("k=", "k="),
        ("k!=", "k!="),
        ("c in (y,x),a=b,!d", "a=b,c in (x,y),!d"),
        ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
        ("a in (x, x ,y)", "a in (x,y)"),
        ("k in (a,)", "k in (,a)"),
        ("k in (,a)", "k in (,a)"),
        ("k notin (a)", "k notin (a)"),
        ("b,a", "a,b"),
        ("a!=x,a=y", "a=y,a!=x"),
        ("in in (in,notin)", "in in (in,notin)"),
        ("k=in", "k=in"),
        ("\ta = b ,\n c ", "a=b,c"),
        ("example.com/app=web", "example.com/app=web"),
        ("app.kubernetes.io/name in (web, api)", "app.kubernetes.io/name in (api,web)"),
        ("environment notin (qa,dev),tier=front-end_1.x", "environment notin (dev,qa),tier=front-end_1.x"),
    ])
    func parsesToCanonicalForm(text: String, expected: String) throws {
        let selector = try LabelSelector.parse(text)
        #expect(selector.description == expected)
        #expect(selector.isEmpty == expected.isEmpty)
        #expect(try LabelSelector.parse(expected) == selector)
    }

    @Test func parsesStructure() throws {
        let selector = try LabelSelector.parse("tier in (web,api), !canary, app=shop, rev>3")
        #expect(selector.requirements == [
            try .equals("app", "shop"),
            try LabelSelector.Requirement(key: "canary", op: .doesNotExist),
            try LabelSelector.Requirement(key: "rev", op: .greaterThan, values: ["3"]),
            try .isIn("tier", ["api", "web"]),
        ])
    }

    @Test(arguments: [
        ("a=b,,c", "invalid label selector: expected a key or '!' after ',' at position 5, found \",\""),
        ("a=b,", "invalid label selector: expected a key or '!' after ',' at position 5, found end of string"),
        (",a", "invalid label selector: expected a key, '!' or end of string at position 1, found \",\""),
        ("=a", "invalid label selector: expected a key, '!' or end of string at position 1, found \"=\""),
        ("a b", "invalid requirement \"a b\": expected an operator (in, notin, =, ==, !=, >, <), found \"b\""),
        ("a=b c", "invalid requirement \"a=b c\": expected ',' or end of string, found \"c\""),
        ("x=y, a=b c ,d", "invalid requirement \"a=b c\": expected ',' or end of string, found \"c\""),
        ("a in (x", "invalid requirement \"a in (x\": expected ',' or ')', found end of string"),
        ("a in x", "invalid requirement \"a in x\": expected '(', found \"x\""),
        ("a in (x y)", "invalid requirement \"a in (x y)\": expected ',' or ')', found \"y\""),
        ("a in (=)", "invalid requirement \"a in (=)\": expected a value, ',' or ')', found \"=\""),
        ("!", "invalid requirement \"!\": expected a key, found end of string"),
        ("!a=b", "invalid requirement \"!a=b\": expected ',' or end of string, found \"=\""),
        ("a=(b)", "invalid requirement \"a=(b)\": expected a value, found \"(\""),
        ("a=b=c", "invalid requirement \"a=b=c\": expected ',' or end of string, found \"=\""),
        ("k>x", "invalid requirement \"k>x\": for '>', '<' operators, the value must be an integer, got \"x\""),
        ("k<", "invalid requirement \"k<\": for '>', '<' operators, the value must be an integer, got \"\""),
        ("k>99999999999999999999", "invalid requirement \"k>99999999999999999999\": for '>', '<' operators, the value must be an integer, got \"99999999999999999999\""),
        ("-a=b", "invalid requirement \"-a=b\": invalid key \"-a\": " + nameRule),
        ("a/b/c=d", "invalid requirement \"a/b/c=d\": invalid key \"a/b/c\": a qualified name must consist of an optional DNS subdomain prefix and a name, separated by '/'"),
        ("Example.com/a=b", "invalid requirement \"Example.com/a=b\": invalid key \"Example.com/a\": prefix part must be a lowercase RFC 1123 subdomain (e.g. 'example.com')"),
        ("/a=b", "invalid requirement \"/a=b\": invalid key \"/a\": prefix part must be non-empty"),
        ("a/=b", "invalid requirement \"a/=b\": invalid key \"a/\": name part must be non-empty"),
        ("a=b_", "invalid requirement \"a=b_\": invalid value \"b_\" for key \"a\": " + valueRule),
        ("a in (ok,b c)", "invalid requirement \"a in (ok,b c)\": expected ',' or ')', found \"c\""),
        ("a in (ok,'x')", "invalid requirement \"a in (ok,'x')\": invalid value \"'x'\" for key \"a\": " + valueRule),
        ("a=x\u{1}", "invalid requirement \"a=x\\u{1}\": invalid value \"x\\u{1}\" for key \"a\": " + valueRule),
        ("k=\"v\"", "invalid requirement \"k=\\\"v\\\"\": invalid value \"\\\"v\\\"\" for key \"k\": " + valueRule),
        (String(repeating: "n", count: 64), "invalid requirement \"\(String(repeating: "n", count: 64))\": invalid key \"\(String(repeating: "n", count: 64))\": name part must be no more than 63 characters"),
        ("a=" + String(repeating: "v", count: 64), "invalid requirement \"a=\(String(repeating: "v", count: 64))\": invalid value \"\(String(repeating: "v", count: 64))\" for key \"a\": must be no more than 63 characters"),
    ])
    func rejectsNamingTheRequirement(text: String, message: String) {
        #expect(throws: LabelSelectorError(message: message)) { try LabelSelector.parse(text) }
    }

    @Test func acceptsLongestValidParts() throws {
        let name = String(repeating: "n", count: 63)
        let prefix = Array(repeating: String(repeating: "p", count: 63), count: 4).joined(separator: ".") // 255
        let shortPrefix = String(prefix.dropFirst(2)) // 253
        #expect(try LabelSelector.parse("\(shortPrefix)/\(name)=\(name)").requirements.count == 1)
        #expect(throws: LabelSelectorError.self) { try LabelSelector.parse("\(prefix)/\(name)") }
    }
}
