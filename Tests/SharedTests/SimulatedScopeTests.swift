import Testing

@testable import Shared
@testable import SysdigSimulator

@Suite("Simulator scope filter parser")
struct SimulatedScopeTests {
    typealias Term = SimulatedScope.Term

    @Test(arguments: [
        ("", [Term]()),
        ("  ", []),
        ("a.b = 'x'", [Term(negated: false, label: "a.b", op: .equals, values: ["x"])]),
        ("a.b=\"x y\"", [Term(negated: false, label: "a.b", op: .equals, values: ["x y"])]),
        ("a != 'x'", [Term(negated: false, label: "a", op: .notEquals, values: ["x"])]),
        ("a in ('x', \"y\",'z')", [Term(negated: false, label: "a", op: .isIn, values: ["x", "y", "z"])]),
        ("a in ('x')", [Term(negated: false, label: "a", op: .isIn, values: ["x"])]),
        ("not a in ('x','y')", [Term(negated: true, label: "a", op: .isIn, values: ["x", "y"])]),
        ("a contains 'eb'", [Term(negated: false, label: "a", op: .contains, values: ["eb"])]),
        ("not a contains 'eb'", [Term(negated: true, label: "a", op: .contains, values: ["eb"])]),
        ("a starts with 'we'", [Term(negated: false, label: "a", op: .startsWith, values: ["we"])]),
        ("A STARTS WITH 'we'", [Term(negated: false, label: "A", op: .startsWith, values: ["we"])]),
        (
            "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.deployment.name in ('web','api')",
            [
                Term(negated: false, label: "kubernetes.cluster.name", op: .equals, values: ["prod"]),
                Term(negated: false, label: "kubernetes.namespace.name", op: .equals, values: ["shop"]),
                Term(negated: false, label: "kubernetes.deployment.name", op: .isIn, values: ["web", "api"]),
            ]
        ),
        (
            "kubernetes.pod.label.app.kubernetes.io/name = '' AND b = 'c'",
            [
                Term(negated: false, label: "kubernetes.pod.label.app.kubernetes.io/name", op: .equals, values: [""]),
                Term(negated: false, label: "b", op: .equals, values: ["c"]),
            ]
        ),
    ])
    func parsesValidFilters(text: String, terms: [Term]) throws {
        #expect(try SimulatedScope(parsing: text).terms == terms)
    }

    @Test(arguments: [
        "a = x",  // unquoted value
        "a = 'x",  // unterminated
        "a = 'x\\'y'",  // backslash
        "a = 'x\"y'",  // other quote inside
        "a = 'x'y'",  // stray quote
        "a == 'x'",
        "a ! 'x'",
        "a = 'x' b = 'y'",  // missing and
        "a = 'x' and",
        "a = 'x' or b = 'y'",
        "(a = 'x')",
        "a in 'x'",
        "a in ()",
        "a in ('x' 'y')",
        "a in ('x',)",
        "a starts 'x'",
        "not = 'x'",
        "and = 'x'",
        "a = 'x'; drop",
        "'a' = 'x'",
        "a like 'x'",
    ])
    func refusesGarbage(text: String) {
        #expect(throws: SimulatedScope.ParseError.self) { try SimulatedScope(parsing: text) }
    }

    @Test(arguments: [
        ("app = 'web'", true),
        ("app = 'api'", false),
        ("app != 'api'", true),
        ("missing != 'x'", true),
        ("missing = 'x'", false),
        ("not missing = 'x'", true),
        ("app in ('api','web')", true),
        ("not app in ('api','web')", false),
        ("pod contains '5d8'", true),
        ("pod starts with 'web-'", true),
        ("pod starts with 'api-'", false),
        ("app = 'web' and pod contains 'zzz'", false),
    ])
    func matchesLabelSets(text: String, expected: Bool) throws {
        let labels = ["app": "web", "pod": "web-5d8f6-abc12"]
        #expect(try SimulatedScope(parsing: text).matches(labels) == expected)
    }
}
