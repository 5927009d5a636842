import Testing
@testable import Shared
@testable import TestSupport

@Suite struct LabelSelectorPropertyTests {
    @Test func parsingGarbageNeverCrashesAndIsIdempotent() throws {
        let pieces = [
            "a", "b.c", "x/y", "example.com/k", "=", "==", "!=", "!", "in", "notin", "(", ")", ",", " ", "\t", ">", "<",
            "5", "-", "_", "é", "'", "\"", "\n", "\u{0}", "🚀", "A",
        ]
        var rng = SplitMix64(seed: 0xC0FFEE)
        var parsed = 0
        for _ in 0..<8000 {
            let text = rng.string(from: pieces, maxPieces: 10)
            guard let selector = try? LabelSelector.parse(text) else { continue }
            parsed += 1
            #expect(try LabelSelector.parse(selector.description) == selector, "\(text.debugDescription)")
        }
        #expect(parsed > 500)
    }

    @Test func randomSelectorsRoundTripThroughText() throws {
        let keys = ["a", "app", "example.com/tier", "k8s.io/x_y-z.1", "in", "notin", "Z9"]
        let values = ["", "x", "web", "A.b-c_d", "in", "notin", "0", "12345"]
        var rng = SplitMix64(seed: 2024)
        for _ in 0..<3000 {
            var requirements: [LabelSelector.Requirement] = []
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let key = keys.randomElement(using: &rng) ?? "a"
                let op = LabelSelector.Operator.allCases.randomElement(using: &rng) ?? .exists
                let chosen: [String]
                switch op {
                case .exists, .doesNotExist: chosen = []
                case .in, .notIn: chosen = (0..<Int.random(in: 1...3, using: &rng)).map { _ in values.randomElement(using: &rng) ?? "" }
                case .greaterThan, .lessThan: chosen = [String(Int.random(in: 0...1000, using: &rng))]
                case .equals, .notEquals: chosen = [values.randomElement(using: &rng) ?? ""]
                }
                requirements.append(try LabelSelector.Requirement(key: key, op: op, values: chosen))
            }
            let selector = LabelSelector(requirements: requirements)
            #expect(try LabelSelector.parse(selector.description) == selector, "\(selector)")
        }
    }
}
