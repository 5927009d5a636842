import Testing
@testable import Shared
@testable import TestSupport

/// Seeded property tests: user-controlled values can never change a filter's structure.
@Suite struct ScopePropertyTests {
    static let valuePieces: [String] = [
        "a", "Z", "0", " ", "'", "\"", "\\", " and ", "AND", " or ", ")", "(", ",", "\n", "\t", "\r", "\r\n",
        "é", "e\u{301}", "\u{301}", "🚀", "\u{2028}", "\u{2029}", "\u{7F}", "\u{0}", "\u{85}", "\u{FEFF}",
        "\u{200B}", "\u{A0}", "not ", "in", "=", "!=", "starts with", "' and b = '", "\\'", "%", "*",
    ]
    static let labels = [
        "kubernetes.namespace.name", "a", "_x", "kubernetes.pod.label.app.kubernetes.io/name", "host.mac", "A-b9",
    ]

    static func isForbidden(_ value: String) -> Bool {
        value.unicodeScalars.contains { ScopeLiteral.forbiddenValueReason($0) != nil }
    }

    @Test func renderedExpressionsParseBackUnchanged() throws {
        var rng = SplitMix64(seed: 0x5C0_9E)
        var accepted = 0
        var refused = 0
        for _ in 0..<4000 {
            var terms: [ScopeTerm] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let op = ScopeOperator.allCases.randomElement(using: &rng) ?? .equals
                let count = op == .in ? Int.random(in: 1...3, using: &rng) : 1
                let values = (0..<count).map { _ in rng.string(from: Self.valuePieces, maxPieces: 6) }
                let label = Self.labels.randomElement(using: &rng) ?? "a"
                let negated = Bool.random(using: &rng)
                do {
                    terms.append(try ScopeTerm(label: label, op: op, values: values, negated: negated))
                    accepted += 1
                    #expect(!values.contains(where: Self.isForbidden))
                } catch {
                    refused += 1
                    #expect(values.contains(where: Self.isForbidden), "refused a safe value: \(values)")
                }
            }
            let expression = ScopeExpression(terms: terms)
            let reparsed = try ScopeExpression.parse(expression.rendered())
            #expect(reparsed == expression)
            #expect(reparsed.terms.count == terms.count)
            #expect(reparsed.terms.map(\.label) == terms.map(\.label))
            #expect(reparsed.terms.map(\.values) == terms.map(\.values))
        }
        #expect(accepted > 1000)
        #expect(refused > 1000)
    }

    @Test func randomLabelsAreRefusedOrRoundTrip() throws {
        let pieces = ["a", "Z", "_", ".", "-", "/", "0", " ", "'", "(", "é", "and", "in", "not", "or", "=", "\n"]
        var rng = SplitMix64(seed: 42)
        for _ in 0..<3000 {
            let label = rng.string(from: pieces, maxPieces: 5)
            guard let term = try? ScopeTerm.equals(label, "v") else { continue }
            let reparsed = try ScopeExpression.parse(term.rendered())
            #expect(reparsed.terms == [term])
        }
    }

    @Test func parsingGarbageNeverCrashesAndIsIdempotent() throws {
        let pieces = Self.valuePieces + [
            "a", "b.c", " = ", "'", "'x'", "\"y\"", " in ", "(", ")", ", ", " and ", " not ", "contains", "starts", "with",
        ]
        var rng = SplitMix64(seed: 7)
        var parsedCount = 0
        for _ in 0..<6000 {
            let text = rng.string(from: pieces, maxPieces: 12)
            switch Result(catching: { () throws(ScopeError) in try ScopeExpression.parse(text) }) {
            case .success(let parsed):
                parsedCount += 1
                #expect(try ScopeExpression.parse(parsed.rendered()) == parsed)
            case .failure(let error):
                let position = try #require(error.position)
                #expect((1...(text.unicodeScalars.count + 1)).contains(position))
                #expect(error.message.contains("at position \(position)"))
            }
        }
        #expect(parsedCount > 0)
    }
}
