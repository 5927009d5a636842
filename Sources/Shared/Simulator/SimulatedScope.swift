import Shared
/// The simulator's own reading of a Data API `filter` (docs/sysdig-api.md, "Scope filters, and how
/// the adapter escapes values"), written
/// independently of the adapter's `ScopeExpression` so a bug in one is caught by the
/// other.
///
/// Grammar: `term (and term)*`, where a term is `[not] label op value` and op is `=`,
/// `!=`, `in (v, ...)`, `contains` or `starts with`. Values are single- or
/// double-quoted and may not contain quotes or backslashes. Keywords are
/// case-insensitive; `or` and parentheses for grouping are refused.
struct SimulatedScope: Sendable, Equatable {
    enum Operator: Sendable, Equatable {
        case equals, notEquals, isIn, contains, startsWith
    }

    struct Term: Sendable, Equatable {
        var negated: Bool
        var label: String
        var op: Operator
        var values: [String]

        func matches(_ labels: [String: String]) -> Bool {
            let result: Bool
            if let actual = labels[label] {
                switch op {
                case .equals: result = actual == values[0]
                case .notEquals: result = actual != values[0]
                case .isIn: result = values.contains(actual)
                case .contains: result = actual.contains(values[0])
                case .startsWith: result = actual.hasPrefix(values[0])
                }
            } else {
                result = op == .notEquals
            }
            return negated ? !result : result
        }
    }

    struct ParseError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    var terms: [Term]

    /// Every label the filter mentions.
    var labels: Set<String> { Set(terms.map(\.label)) }

    func matches(_ labels: [String: String]) -> Bool {
        terms.allSatisfy { $0.matches(labels) }
    }

    /// Parses `text`; blank text is the empty scope that matches everything.
    init(parsing text: String) throws(ParseError) {
        var tokens = try SimulatedScopeTokenizer.tokenize(text)[...]
        var terms: [Term] = []
        while !tokens.isEmpty {
            if !terms.isEmpty {
                guard case .word(let word)? = tokens.popFirst(), word.lowercased() == "and" else {
                    throw ParseError(description: "expected 'and' between scope terms")
                }
            }
            terms.append(try Self.parseTerm(&tokens))
        }
        self.terms = terms
    }

    private static func parseTerm(_ tokens: inout ArraySlice<SimulatedScopeTokenizer.Token>) throws(ParseError) -> Term {
        var negated = false
        if case .word(let word)? = tokens.first, word.lowercased() == "not" {
            negated = true
            tokens.removeFirst()
        }
        guard case .word(let label)? = tokens.popFirst(), isLabel(label) else {
            throw ParseError(description: "expected a label name")
        }
        let op: Operator
        switch tokens.popFirst() {
        case .equals?: op = .equals
        case .notEquals?: op = .notEquals
        case .word(let word)? where word.lowercased() == "in": op = .isIn
        case .word(let word)? where word.lowercased() == "contains": op = .contains
        case .word(let word)? where word.lowercased() == "starts":
            guard case .word(let next)? = tokens.popFirst(), next.lowercased() == "with" else {
                throw ParseError(description: "expected 'starts with'")
            }
            op = .startsWith
        default:
            throw ParseError(description: "expected an operator after \(label)")
        }
        let values = op == .isIn ? try parseList(&tokens) : [try parseValue(&tokens)]
        return Term(negated: negated, label: label, op: op, values: values)
    }

    private static func parseValue(_ tokens: inout ArraySlice<SimulatedScopeTokenizer.Token>) throws(ParseError) -> String {
        guard case .quoted(let value)? = tokens.popFirst() else {
            throw ParseError(description: "expected a quoted value")
        }
        return value
    }

    private static func parseList(_ tokens: inout ArraySlice<SimulatedScopeTokenizer.Token>) throws(ParseError) -> [String] {
        guard tokens.popFirst() == .open else { throw ParseError(description: "expected '(' after in") }
        var values = [try parseValue(&tokens)]
        while true {
            switch tokens.popFirst() {
            case .comma?: values.append(try parseValue(&tokens))
            case .close?: return values
            default: throw ParseError(description: "expected ',' or ')' in a value list")
            }
        }
    }

    private static func isLabel(_ word: String) -> Bool {
        let keywords: Set<String> = ["and", "or", "not", "in", "contains", "starts", "with"]
        guard let first = word.first, first.isLetter else { return false }
        return !keywords.contains(word.lowercased())
    }
}
