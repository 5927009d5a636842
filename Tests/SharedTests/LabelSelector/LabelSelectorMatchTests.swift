import Testing
@testable import Shared

@Suite struct LabelSelectorMatchTests {
    @Test(arguments: [
        ("", [:], true),
        ("", ["a": "b"], true),
        ("a=b", ["a": "b"], true),
        ("a=b", ["a": "c"], false),
        ("a=b", [:], false),
        ("a==b", ["a": "b", "c": "d"], true),
        ("a!=b", [:], true),
        ("a!=b", ["a": "b"], false),
        ("a!=b", ["a": "c"], true),
        ("a in (x,y)", ["a": "y"], true),
        ("a in (x,y)", ["a": "z"], false),
        ("a in (x,y)", [:], false),
        ("a notin (x)", [:], true),
        ("a notin (x)", ["a": "x"], false),
        ("a notin (x)", ["a": "w"], true),
        ("a", ["a": ""], true),
        ("a", [:], false),
        ("!a", [:], true),
        ("!a", ["a": "x"], false),
        ("a>5", ["a": "6"], true),
        ("a>5", ["a": "5"], false),
        ("a>5", ["a": "x"], false),
        ("a>5", [:], false),
        ("a<5", ["a": "-1"], true),
        ("a<5", ["a": "5"], false),
        ("a=", ["a": ""], true),
        ("a=", ["a": "x"], false),
        ("a in ()", ["a": ""], true),
        ("a=b,c", ["a": "b", "c": "x"], true),
        ("a=b,c", ["a": "b"], false),
        ("a=b,!c", ["a": "b", "c": "x"], false),
    ] as [(String, [String: String], Bool)])
    func matchesLikeGo(selector: String, labels: [String: String], expected: Bool) throws {
        #expect(try LabelSelector.parse(selector).matches(labels) == expected)
    }
}
