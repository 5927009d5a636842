/// Recursive-descent parser for Sysdig scope text; positions are 1-based Unicode-scalar columns.
///
/// Grammar (keywords case-insensitive):
/// ```
/// expression := ε | term ("and" term)*
/// term       := ["not"] label operator
/// operator   := ("=" | "!=" | "contains" | "starts" "with") value | "in" "(" value ("," value)* ")"
/// value      := '...' | "..."      (no quotes, backslashes or control characters inside)
/// ```
struct ScopeParser {
    private enum Kind: Equatable {
        case word(String)
        case quoted(String)
        case equals, notEquals, openParen, closeParen, comma, end
    }

    private struct Token {
        var kind: Kind
        /// 1-based column of the token's first scalar.
        var position: Int

        func isKeyword(_ keyword: String) -> Bool {
            if case .word(let text) = kind { return text.lowercased() == keyword }
            return false
        }
    }

    private static let operatorExpectation = "expected an operator (=, !=, in, contains, starts with)"

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var current: Token

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        current = Token(kind: .end, position: 1)
    }

    mutating func parseExpression() throws(ScopeError) -> ScopeExpression {
        try advance()
        if current.kind == .end { return ScopeExpression() }
        var terms = [try parseTerm()]
        while true {
            if current.kind == .end { return ScopeExpression(terms: terms) }
            if current.isKeyword("and") {
                try advance()
                terms.append(try parseTerm())
            } else if current.isKeyword("or") {
                throw ScopeError("'or' is not supported, scope terms can only be joined with 'and'",
                                 position: current.position)
            } else {
                throw ScopeError("expected 'and' or end of expression", position: current.position)
            }
        }
    }

    private mutating func parseTerm() throws(ScopeError) -> ScopeTerm {
        var negated = false
        if current.isKeyword("not") {
            negated = true
            try advance()
        }
        let label = try parseLabel()
        let op = try parseOperator()
        var values: [String] = []
        if op == .in {
            try expect(.openParen, "expected '(' after 'in'")
            values.append(try parseValue())
            while current.kind == .comma {
                try advance()
                values.append(try parseValue())
            }
            try expect(.closeParen, "expected ',' or ')'")
        } else {
            values.append(try parseValue())
        }
        return ScopeTerm(validatedLabel: label, op: op, values: values, negated: negated)
    }

    private mutating func parseLabel() throws(ScopeError) -> String {
        switch current.kind {
        case .word(let text):
            if ScopeLiteral.keywords.contains(text.lowercased()) {
                throw ScopeError("expected a label, found keyword '\(text)'", position: current.position)
            }
            if let problem = ScopeLiteral.labelProblem(text) {
                throw ScopeError(problem, position: current.position)
            }
            try advance()
            return text
        case .openParen:
            throw ScopeError("parentheses for grouping are not supported", position: current.position)
        default:
            throw ScopeError("expected a label", position: current.position)
        }
    }

    private mutating func parseOperator() throws(ScopeError) -> ScopeOperator {
        let token = current
        switch token.kind {
        case .equals:
            try advance()
            return .equals
        case .notEquals:
            try advance()
            return .notEquals
        case .word:
            if token.isKeyword("in") || token.isKeyword("contains") {
                try advance()
                return token.isKeyword("in") ? .in : .contains
            }
            if token.isKeyword("starts") {
                try advance()
                guard current.isKeyword("with") else {
                    throw ScopeError("expected 'with' after 'starts'", position: current.position)
                }
                try advance()
                return .startsWith
            }
            if token.isKeyword("not") {
                throw ScopeError("'not' must come before the label (not <label> in (...))",
                                 position: token.position)
            }
        default:
            break
        }
        throw ScopeError(Self.operatorExpectation, position: token.position)
    }

    private mutating func parseValue() throws(ScopeError) -> String {
        guard case .quoted(let value) = current.kind else {
            throw ScopeError("expected a quoted value ('...' or \"...\")", position: current.position)
        }
        try advance()
        return value
    }

    private mutating func expect(_ kind: Kind, _ message: String) throws(ScopeError) {
        guard current.kind == kind else {
            throw ScopeError(message, position: current.position)
        }
        try advance()
    }

    // MARK: - Lexer

    /// Reads the next token into `current`.
    private mutating func advance() throws(ScopeError) {
        while index < scalars.count, Self.isWhitespace(scalars[index]) {
            index += 1
        }
        let start = index
        let position = start + 1
        guard start < scalars.count else {
            current = Token(kind: .end, position: position)
            return
        }
        let scalar = scalars[start]
        index += 1
        switch scalar {
        case "=": current = Token(kind: .equals, position: position)
        case "(": current = Token(kind: .openParen, position: position)
        case ")": current = Token(kind: .closeParen, position: position)
        case ",": current = Token(kind: .comma, position: position)
        case "!" where index < scalars.count && scalars[index] == "=":
            index += 1
            current = Token(kind: .notEquals, position: position)
        case "'", "\"":
            current = Token(kind: .quoted(try lexQuoted(delimiter: scalar, start: start)), position: position)
        default:
            guard ScopeLiteral.isLabelScalar(scalar) else {
                throw ScopeError("unexpected character \(ScopeLiteral.describe(scalar))", position: position)
            }
            while index < scalars.count, ScopeLiteral.isLabelScalar(scalars[index]) {
                index += 1
            }
            current = Token(kind: .word(Self.string(scalars[start..<index])), position: position)
        }
    }

    /// Reads a quoted value whose opening delimiter is at `start`; `index` is just past it.
    private mutating func lexQuoted(delimiter: Unicode.Scalar, start: Int) throws(ScopeError) -> String {
        let contentStart = index
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == delimiter {
                index += 1
                return Self.string(scalars[contentStart..<(index - 1)])
            }
            if let reason = ScopeLiteral.forbiddenValueReason(scalar) {
                throw ScopeError(
                    message: "scope value contains \(reason) at position \(index + 1)\(ScopeLiteral.valueRuleSuffix)",
                    position: index + 1)
            }
            index += 1
        }
        throw ScopeError("unterminated quoted value starting", position: start + 1)
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static func string(_ slice: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: slice)
        return String(view)
    }
}
