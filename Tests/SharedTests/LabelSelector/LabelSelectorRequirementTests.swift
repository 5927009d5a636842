import Testing
@testable import Shared

@Suite struct LabelSelectorRequirementTests {
    typealias Requirement = LabelSelector.Requirement

    @Test func initialiserValidatesLikeNewRequirement() throws {
        #expect(throws: LabelSelectorError(message: "invalid requirement on key \"a\": exact-match compatibility requires one single value")) {
            try Requirement(key: "a", op: .equals, values: ["x", "y"])
        }
        #expect(throws: LabelSelectorError(message: "invalid requirement on key \"a\": for 'in', 'notin' operators, values set can't be empty")) {
            try Requirement(key: "a", op: .notIn, values: [])
        }
        #expect(throws: LabelSelectorError(message: "invalid requirement on key \"a\": values set must be empty for exists and does not exist")) {
            try Requirement(key: "a", op: .exists, values: ["x"])
        }
        #expect(throws: LabelSelectorError(message: "invalid requirement on key \"a\": for '>', '<' operators, exactly one value is required")) {
            try Requirement(key: "a", op: .lessThan, values: ["1", "2"])
        }
        #expect(throws: LabelSelectorError(message: "invalid key \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")) {
            try Requirement.exists("a b")
        }
    }

    @Test func valuesAreSortedAndDeduplicated() throws {
        let requirement = try Requirement.isIn("k", ["b", "a", "b", ""])
        #expect(requirement.values == ["", "a", "b"])
        #expect(requirement.description == "k in (,a,b)")
    }

    @Test func selectorSortsRequirements() throws {
        let selector = LabelSelector(requirements: [
            try .exists("z"), try Requirement(key: "a", op: .notEquals, values: ["x"]), try .equals("a", "y"),
        ])
        #expect(selector.description == "a=y,a!=x,z")
    }

    @Test func matchLabelsBuildsEqualityRequirements() throws {
        let selector = try LabelSelector(matchLabels: ["tier": "web", "app": "shop"])
        #expect(selector.description == "app=shop,tier=web")
        #expect(throws: LabelSelectorError.self) { try LabelSelector(matchLabels: ["app": "bad value"]) }
        #expect(try LabelSelector(matchLabels: [:]).isEmpty)
    }

    @Test func requiredValue() throws {
        let selector = try LabelSelector.parse("app=shop,tier in (web),zone in (a,b),x!=y")
        #expect(selector.requiredValue(for: "app") == "shop")
        #expect(selector.requiredValue(for: "tier") == "web")
        #expect(selector.requiredValue(for: "zone") == nil)
        #expect(selector.requiredValue(for: "x") == nil)
        #expect(selector.requiredValue(for: "missing") == nil)
    }
}
