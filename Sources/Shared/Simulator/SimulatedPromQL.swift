import Foundation
import Shared

/// The simulator's own PromQL parser, deliberately separate from the adapter's so a
/// bug in one is caught by the other. It accepts the subset adapter templates
/// produce and nothing else:
///
///     expr      := aggregate | call | selector | number | expr ("*" | "/") number
///     aggregate := ("sum"|"avg"|"min"|"max"|"count") [grouping] "(" expr ")" [grouping]
///     grouping  := ("by"|"without") "(" [label {"," label} [","]] ")"
///     call      := ("avg_over_time"|"sum_over_time"|"min_over_time"|"max_over_time"|
///                   "count_over_time"|"rate"|"irate"|"increase") "(" selector "[" duration "]" ")"
///     selector  := name ["{" matchers "}"] | "{" matchers "}"
struct SimulatedPromQL: Sendable {
    struct Matcher: Sendable {
        var label: String
        var op: String
        var value: String
    }

    struct Selector: Sendable {
        var metric: String?
        var matchers: [Matcher]
    }

    indirect enum Expression: Sendable {
        case number(Double)
        case instant(Selector)
        case range(function: String, selector: Selector, seconds: Int)
        case aggregate(op: String, labels: [String], without: Bool, inner: Expression)
        case scale(inner: Expression, op: String, by: Double)
    }

    struct Rejection: Error, Sendable {
        var message: String
    }

    static let aggregations: Set<String> = ["sum", "avg", "min", "max", "count"]
    static let rangeFunctions: Set<String> = [
        "avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "count_over_time", "rate", "irate",
        "increase",
    ]

    let expression: Expression

    init(_ text: String) throws(Rejection) {
        var parser = Parser(tokens: try Self.tokenize(text))
        let expression = try parser.expression()
        guard parser.atEnd else { throw Rejection(message: "unexpected \(parser.describeCurrent()) after the expression") }
        self.expression = expression
    }

    // MARK: - Tokens

    enum Token: Sendable, Equatable {
        case word(String)
        case number(Double)
        case duration(Int)
        case string(String)
        case punct(String)
    }

    static func tokenize(_ text: String) throws(Rejection) -> [Token] {
        let chars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        func isWordStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == ":" || (c.isASCII && c.properties.isAlphabetic) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\n" || c == "\t" || c == "\r" {
                i += 1
            } else if isWordStart(c) {
                var word = ""
                while i < chars.count, isWordStart(chars[i]) || isDigit(chars[i]) {
                    word.unicodeScalars.append(chars[i])
                    i += 1
                }
                tokens.append(.word(word))
            } else if isDigit(c) {
                var digits = ""
                while i < chars.count, isDigit(chars[i]) || chars[i] == "." {
                    digits.unicodeScalars.append(chars[i])
                    i += 1
                }
                var unit = ""
                while i < chars.count, chars[i].isASCII, chars[i].properties.isLowercase {
                    unit.unicodeScalars.append(chars[i])
                    i += 1
                }
                if unit.isEmpty {
                    guard let value = Double(digits) else { throw Rejection(message: "bad number \(digits)") }
                    tokens.append(.number(value))
                } else {
                    let factors = ["s": 1, "m": 60, "h": 3600, "d": 86400]
                    guard let count = Int(digits), let factor = factors[unit] else {
                        throw Rejection(message: "bad duration \(digits)\(unit)")
                    }
                    tokens.append(.duration(count * factor))
                }
            } else if c == "\"" {
                let (value, next) = try string(chars, from: i + 1)
                tokens.append(.string(value))
                i = next
            } else if i + 1 < chars.count, ["=~", "!~", "!="].contains(String(c) + String(chars[i + 1])) {
                tokens.append(.punct(String(c) + String(chars[i + 1])))
                i += 2
            } else if "(){}[],=*/".unicodeScalars.contains(c) {
                tokens.append(.punct(String(c)))
                i += 1
            } else {
                throw Rejection(message: "unexpected character U+\(String(c.value, radix: 16, uppercase: true))")
            }
        }
        return tokens
    }

    /// A double-quoted string with `\\ \" \n \r \t \xHH \uHHHH \UHHHHHHHH` escapes.
    private static func string(_ chars: [Unicode.Scalar], from start: Int) throws(Rejection) -> (String, Int) {
        var value = String.UnicodeScalarView()
        var i = start
        while i < chars.count {
            let c = chars[i]
            if c == "\"" { return (String(value), i + 1) }
            guard c.value >= 0x20 else { throw Rejection(message: "control character inside a string") }
            guard c == "\\" else {
                value.append(c)
                i += 1
                continue
            }
            guard i + 1 < chars.count else { break }
            let kind = chars[i + 1]
            let simple: [Unicode.Scalar: Unicode.Scalar] = ["\\": "\\", "\"": "\"", "n": "\n", "r": "\r", "t": "\t"]
            if let mapped = simple[kind] {
                value.append(mapped)
                i += 2
                continue
            }
            let width = kind == "x" ? 2 : kind == "u" ? 4 : kind == "U" ? 8 : 0
            guard width > 0, i + 2 + width <= chars.count,
                let code = UInt32(String(String.UnicodeScalarView(chars[(i + 2)..<(i + 2 + width)])), radix: 16),
                let scalar = Unicode.Scalar(code)
            else { throw Rejection(message: "bad escape sequence in a string") }
            value.append(scalar)
            i += 2 + width
        }
        throw Rejection(message: "unterminated string")
    }

    // MARK: - Grammar

    struct Parser {
        var tokens: [Token]
        var index = 0

        var atEnd: Bool { index >= tokens.count }
        var current: Token? { atEnd ? nil : tokens[index] }

        func describeCurrent() -> String {
            guard let current else { return "end of query" }
            switch current {
            case .word(let word): return "\"\(word)\""
            case .number(let number): return "number \(number)"
            case .duration: return "duration"
            case .string: return "string"
            case .punct(let punct): return "\"\(punct)\""
            }
        }

        mutating func expect(_ punct: String) throws(Rejection) {
            guard current == .punct(punct) else {
                throw Rejection(message: "expected \"\(punct)\", got \(describeCurrent())")
            }
            index += 1
        }

        mutating func expression() throws(Rejection) -> Expression {
            var result = try operand()
            while let token = current, token == .punct("*") || token == .punct("/") {
                index += 1
                guard case .number(let factor) = current else {
                    throw Rejection(message: "the simulator only scales by a number literal")
                }
                index += 1
                result = .scale(inner: result, op: token == .punct("*") ? "*" : "/", by: factor)
            }
            return result
        }

        private mutating func operand() throws(Rejection) -> Expression {
            switch current {
            case .number(let value):
                index += 1
                return .number(value)
            case .punct("{"):
                return .instant(try selector(name: nil))
            case .word(let word) where Self.isAggregation(word, next: index + 1 < tokens.count ? tokens[index + 1] : nil):
                index += 1
                var (labels, without) = try grouping() ?? ([], false)
                try expect("(")
                let inner = try expression()
                try expect(")")
                if let trailing = try grouping() { (labels, without) = trailing }
                return .aggregate(op: word, labels: labels, without: without, inner: inner)
            case .word(let word) where SimulatedPromQL.rangeFunctions.contains(word):
                index += 1
                try expect("(")
                guard case .word(let name) = current else {
                    throw Rejection(message: "\(word) needs a range selector")
                }
                index += 1
                let selector = try self.selector(name: name)
                try expect("[")
                guard case .duration(let seconds) = current, seconds > 0 else {
                    throw Rejection(message: "expected a duration in [...], got \(describeCurrent())")
                }
                index += 1
                try expect("]")
                try expect(")")
                return .range(function: word, selector: selector, seconds: seconds)
            case .word(let word):
                if index + 1 < tokens.count, tokens[index + 1] == .punct("(") {
                    throw Rejection(message: "function \(word) is not supported by the simulator")
                }
                index += 1
                return .instant(try selector(name: word))
            default:
                throw Rejection(message: "unexpected \(describeCurrent())")
            }
        }

        private static func isAggregation(_ word: String, next: Token?) -> Bool {
            guard SimulatedPromQL.aggregations.contains(word) else { return false }
            return next == .punct("(") || next == .word("by") || next == .word("without")
        }

        private mutating func grouping() throws(Rejection) -> ([String], Bool)? {
            guard case .word(let word) = current, word == "by" || word == "without" else { return nil }
            index += 1
            try expect("(")
            var labels: [String] = []
            while current != .punct(")") {
                guard case .word(let label) = current else {
                    throw Rejection(message: "expected a label in \(word) (...), got \(describeCurrent())")
                }
                labels.append(label)
                index += 1
                if current == .punct(",") { index += 1 } else if current != .punct(")") {
                    throw Rejection(message: "expected \",\" or \")\" in \(word) (...)")
                }
            }
            index += 1
            return (labels, word == "without")
        }

        private mutating func selector(name: String?) throws(Rejection) -> Selector {
            var matchers: [Matcher] = []
            if current == .punct("{") {
                index += 1
                while current != .punct("}") {
                    guard case .word(let label) = current else {
                        throw Rejection(message: "expected a label name in {...}, got \(describeCurrent())")
                    }
                    index += 1
                    guard case .punct(let op) = current, ["=", "!=", "=~", "!~"].contains(op) else {
                        throw Rejection(message: "expected a matcher operator after \(label)")
                    }
                    index += 1
                    guard case .string(let value) = current else {
                        throw Rejection(message: "expected a string after \(label)\(op)")
                    }
                    index += 1
                    matchers.append(Matcher(label: label, op: op, value: value))
                    if current == .punct(",") { index += 1 } else if current != .punct("}") {
                        throw Rejection(message: "expected \",\" or \"}\" in a selector, got \(describeCurrent())")
                    }
                }
                index += 1
            }
            guard name != nil || !matchers.isEmpty else { throw Rejection(message: "empty selector") }
            return Selector(metric: name, matchers: matchers)
        }
    }
}
