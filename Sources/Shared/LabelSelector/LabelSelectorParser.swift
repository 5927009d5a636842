import Foundation

/// Lexer and parser for the label selector string form, following apimachinery's
/// `labels.Parse` token by token (including its quirks: `k=` and `k in ()` mean the
/// empty value, and `in`/`notin` are ordinary identifiers where a key or value is expected).
struct LabelSelectorParser {
    enum Kind: Equatable {
        case identifier, inKeyword, notInKeyword
        case openPar, closePar, comma, bang, equals, doubleEquals, notEquals, greaterThan, lessThan
        case end
    }

    struct Token {
        var kind: Kind
        var text: String
        /// Byte offset in the input.
        var offset: Int
    }

    private let bytes: [UInt8]
    private var tokens: [Token] = []
    private var position = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    mutating func parse() throws(LabelSelectorError) -> [LabelSelector.Requirement] {
        tokens = Self.lex(bytes)
        var requirements: [LabelSelector.Requirement] = []
        while true {
            let token = lookahead(values: true)
            switch token.kind {
            case .identifier, .bang:
                requirements.append(try parseRequirement(start: token.offset))
                let next = consume(values: true)
                switch next.kind {
                case .end:
                    return requirements
                case .comma:
                    let following = lookahead(values: true)
                    guard following.kind == .identifier || following.kind == .bang else {
                        throw error("expected a key or '!' after ',' at position \(following.offset + 1),"
                            + " found \(describe(following))")
                    }
                default:
                    throw requirementError(start: token.offset,
                                           "expected ',' or end of string, found \(describe(next))")
                }
            case .end:
                return requirements
            default:
                throw error("expected a key, '!' or end of string at position \(token.offset + 1),"
                    + " found \(describe(token))")
            }
        }
    }

    private mutating func parseRequirement(start: Int) throws(LabelSelectorError) -> LabelSelector.Requirement {
        var token = consume(values: true)
        var op: LabelSelector.Operator?
        if token.kind == .bang {
            op = .doesNotExist
            token = consume(values: true)
        }
        guard token.kind == .identifier else {
            throw requirementError(start: start, "expected a key, found \(describe(token))")
        }
        let key = token.text
        if let problem = LabelSyntax.keyProblem(key) {
            throw requirementError(start: start, problem)
        }
        let next = lookahead(values: true).kind
        if op == nil, next == .end || next == .comma {
            op = .exists
        }
        if let op {
            return try makeRequirement(start: start, key: key, op: op, values: [])
        }
        let parsedOp = try parseOperator(start: start)
        let values: [String]
        switch parsedOp {
        case .in, .notIn:
            values = try parseValueSet(start: start)
        default:
            values = try parseExactValue(start: start)
        }
        return try makeRequirement(start: start, key: key, op: parsedOp, values: values)
    }

    private mutating func parseOperator(start: Int) throws(LabelSelectorError) -> LabelSelector.Operator {
        let token = consume(values: false)
        switch token.kind {
        case .inKeyword: return .in
        case .notInKeyword: return .notIn
        case .equals, .doubleEquals: return .equals
        case .notEquals: return .notEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        default:
            throw requirementError(start: start,
                                   "expected an operator (in, notin, =, ==, !=, >, <), found \(describe(token))")
        }
    }

    /// `( values )`, where `()` and empty list entries mean the empty value.
    private mutating func parseValueSet(start: Int) throws(LabelSelectorError) -> [String] {
        let open = consume(values: true)
        guard open.kind == .openPar else {
            throw requirementError(start: start, "expected '(', found \(describe(open))")
        }
        var values: [String] = []
        var expectingValue = true
        while true {
            let token = consume(values: true)
            switch token.kind {
            case .identifier where expectingValue:
                values.append(token.text)
                expectingValue = false
            case .comma:
                if expectingValue { values.append("") }
                expectingValue = true
            case .closePar:
                if expectingValue { values.append("") }
                return values
            default:
                let expected = expectingValue ? "a value, ',' or ')'" : "',' or ')'"
                throw requirementError(start: start, "expected \(expected), found \(describe(token))")
            }
        }
    }

    /// The single value after `=`, `==`, `!=`, `>` or `<`; nothing before `,` or the end means `""`.
    private mutating func parseExactValue(start: Int) throws(LabelSelectorError) -> [String] {
        let next = lookahead(values: true)
        if next.kind == .end || next.kind == .comma {
            return [""]
        }
        let token = consume(values: true)
        guard token.kind == .identifier else {
            throw requirementError(start: start, "expected a value, found \(describe(token))")
        }
        return [token.text]
    }

    private func makeRequirement(
        start: Int, key: String, op: LabelSelector.Operator, values: [String]
    ) throws(LabelSelectorError) -> LabelSelector.Requirement {
        if let problem = LabelSelector.Requirement.arityProblem(op: op, values: values)
            ?? LabelSelector.Requirement.valuesProblem(key: key, values: values) {
            throw requirementError(start: start, problem)
        }
        return LabelSelector.Requirement(validatedKey: key, op: op, values: values)
    }

    // MARK: - Token access

    /// In value context `in`/`notin` are plain identifiers, as in Go's parser.
    private func lookahead(values: Bool) -> Token {
        var token = tokens[min(position, tokens.count - 1)]
        if values, token.kind == .inKeyword || token.kind == .notInKeyword {
            token.kind = .identifier
        }
        return token
    }

    private mutating func consume(values: Bool) -> Token {
        let token = lookahead(values: values)
        position = min(position + 1, tokens.count - 1)
        return token
    }

    // MARK: - Errors

    private func error(_ message: String) -> LabelSelectorError {
        LabelSelectorError(message: "invalid label selector: \(message)")
    }

    /// Names the requirement starting at byte `start`, up to the next top-level `,`.
    private func requirementError(start: Int, _ message: String) -> LabelSelectorError {
        var end = start
        var depth = 0
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") { depth = max(0, depth - 1) }
            if byte == UInt8(ascii: ","), depth == 0 { break }
            end += 1
        }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return LabelSelectorError(message: "invalid requirement \(LabelSyntax.quoted(text)): \(message)")
    }

    private func describe(_ token: Token) -> String {
        token.kind == .end ? "end of string" : LabelSyntax.quoted(token.text)
    }
}
