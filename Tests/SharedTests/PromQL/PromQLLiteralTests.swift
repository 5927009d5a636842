import Foundation
import Testing

@testable import Shared
@testable import SysdigSimulator
@testable import TestSupport

/// Escaping: table cases plus seeded fuzzing through both parsers.
@Suite struct PromQLLiteralTests {
    static let quoteCases: [(String, String)] = [
        ("web", #""web""#),
        ("", #""""#),
        (#"a"b"#, #""a\"b""#),
        (#"a\b"#, #""a\\b""#),
        ("x\ny\tz\r", #""x\ny\tz\r""#),
        ("é", #""\u00E9""#),
        ("🚀", #""\U0001F680""#),
        ("\u{0}\u{7F}\u{2028}\u{FFFD}", #""\u0000\u007F\u2028\uFFFD""#),
        (#"} or vector(1) {"#, #""} or vector(1) {""#),
    ]

    @Test(arguments: quoteCases)
    func quotes(value: String, expected: String) {
        #expect(PromQLLiteral.quote(value) == expected)
    }

    @Test func quoteMetaEscapesEveryRegexMetacharacter() {
        #expect(PromQLLiteral.regexQuoteMeta(#"a.b*c+d?e(f)g|h[i]j{k}l^m$n\o"#)
            == #"a\.b\*c\+d\?e\(f\)g\|h\[i\]j\{k\}l\^m\$n\\o"#)
        #expect(PromQLLiteral.regexAlternation(["a.b", "c"]) == #""a\\.b|c""#)
    }

    @Test(arguments: [(60_000, "1m"), (30_000, "30s"), (90_000, "90s"), (3_600_000, "1h"), (600_000, "10m"), (1500, "1500ms")])
    func durations(milliseconds: Int64, expected: String) {
        #expect(PromQLLiteral.duration(milliseconds: milliseconds) == expected)
    }

    @Test func labelNames() {
        for good in ["a", "_x", "kube_pod_name", "A9"] { #expect(PromQLLiteral.isLabelName(good)) }
        for bad in ["", "9a", "a-b", "a.b", "a:b", "é", "a b"] { #expect(!PromQLLiteral.isLabelName(bad)) }
        #expect(PromQLLiteral.sanitizedLabelName("app.kubernetes.io/name") == "app_kubernetes_io_name")
    }

    static let pieces: [String] = [
        "a", "Z", "0", " ", "'", "\"", "\\", "\\\"", "`", "}", "{", ",", "=", "=~", "\n", "\t", "\r", "é", "e\u{301}",
        "🚀", "\u{2028}", "\u{7F}", "\u{0}", "\u{85}", "\u{FEFF}", "\u{FFFD}", ".", "*", "+", "?", "(", ")", "|",
        "[", "]", "^", "$", "#", "<<.Window>>", "\\u0041", "\\x41", "or", ")) or vector(1",
    ]

    /// Whatever the value, the literal lexes back as one string token equal to it,
    /// in the adapter's parser and in the simulator's separate one.
    @Test func quotedValuesRoundTripThroughBothParsers() throws {
        var rng = SplitMix64(seed: 0x9E0_11)
        for _ in 0..<3000 {
            let value = rng.string(from: Self.pieces, maxPieces: 8)
            let literal = PromQLLiteral.quote(value)
            #expect(literal.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, "not printable ASCII: \(literal)")
            let tokens = try PromQLLexer.tokenize(literal)
            #expect(tokens.map(\.kind) == [.string(value), .end], "\(literal)")
            let query = "m{a=\(literal),b=\(literal)}"
            _ = try PromQLParser.parse(query)
            let simulated = try SimulatedPromQL(query)
            guard case .instant(let selector) = simulated.expression else {
                Issue.record("expected a selector for \(query)")
                continue
            }
            #expect(selector.matchers.map(\.value) == [value, value])
        }
    }

    /// A quoted alternation matches exactly its values, never a variant of them.
    @Test func regexAlternationMatchesExactlyItsValues() throws {
        var rng = SplitMix64(seed: 0x4E6)
        for _ in 0..<1500 {
            let values = (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                rng.string(from: Self.pieces.filter { !$0.contains("\u{0}") }, maxPieces: 5)
            }
            let source = values.map(PromQLLiteral.regexQuoteMeta).joined(separator: "|")
            let regex = try NSRegularExpression(pattern: "^(?:" + source + ")$", options: [.dotMatchesLineSeparators])
            func matches(_ text: String) -> Bool {
                regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }
            for value in values {
                #expect(matches(value), "\(values) should match \(value)")
                let variant = value + "x"
                if !values.contains(variant) { #expect(!matches(variant), "\(values) matched \(variant)") }
            }
            // The literal carrying the regex lexes back to the regex source.
            let tokens = try PromQLLexer.tokenize(PromQLLiteral.quote(source))
            #expect(tokens.first?.kind == .string(source))
        }
    }
}
