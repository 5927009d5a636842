/// A recursive-descent PromQL parser that checks syntax and types, good enough to
/// reject malformed queries and templates with a position: balanced brackets,
/// selectors and matchers, durations, known functions and aggregations with their
/// argument types, binary operators with `bool`/`on`/`ignoring`/`group_*`,
/// subqueries, `offset` and `@`. It builds no tree: the adapter only sends text.
struct PromQLParser {
    /// Where a template placeholder may stand.
    enum PlaceholderContext: Sendable, Hashable {
        /// An item of a `{...}` matcher list.
        case matchers
        /// An item of a `by (...)`, `without (...)`, `on (...)` or `ignoring (...)` list.
        case grouping
        /// A duration: inside `[...]` or after `offset`.
        case duration
    }

    /// A placeholder the parser accepted, with where it stood.
    struct PlaceholderUse: Sendable, Hashable {
        var name: String
        var context: PlaceholderContext
        var offset: Int
        var endOffset: Int
    }

    private let tokens: [PromQLToken]
    private let placeholders: [String: PlaceholderContext]
    private var index = 0
    private(set) var uses: [PlaceholderUse] = []

    init(tokens: [PromQLToken], placeholders: [String: PlaceholderContext]) {
        self.tokens = tokens
        self.placeholders = placeholders
    }

    /// Parses `text` completely and returns its type and the placeholders used.
    static func parse(
        _ text: String, placeholders: [String: PlaceholderContext] = [:]
    ) throws(PromQLError) -> (type: PromQLType, uses: [PlaceholderUse]) {
        var parser = PromQLParser(tokens: try PromQLLexer.tokenize(text), placeholders: placeholders)
        guard parser.current.kind != .end else { throw parser.current.position.error("the query is empty") }
        let type = try parser.expression(level: 0)
        guard parser.current.kind == .end else { throw parser.unexpected("after the end of the expression") }
        return (type, parser.uses)
    }

    // MARK: - Token helpers

    private var current: PromQLToken { tokens[min(index, tokens.count - 1)] }
    private var following: PromQLToken { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func advance() { index += 1 }

    private func unexpected(_ context: String) -> PromQLError {
        current.position.error("unexpected \(current.quoted) \(context)")
    }

    private func isSymbol(_ symbol: String) -> Bool { current.symbol == symbol }

    private mutating func expect(_ symbol: String, _ context: String) throws(PromQLError) {
        guard isSymbol(symbol) else { throw unexpected("\(context); expected \"\(symbol)\"") }
        advance()
    }

    /// The operator at the current token if it belongs to precedence `level`.
    private func binaryOperator(level: Int) -> String? {
        guard level < PromQLFunctions.precedence.count else { return nil }
        let candidates = PromQLFunctions.precedence[level]
        if let symbol = current.symbol, candidates.contains(symbol) { return symbol }
        if let word = current.identifier?.lowercased(), candidates.contains(word) { return word }
        return nil
    }

    // MARK: - Expressions

    private mutating func expression(level: Int) throws(PromQLError) -> PromQLType {
        guard level < PromQLFunctions.precedence.count else { return try unary() }
        var left = try expression(level: level + 1)
        while let op = binaryOperator(level: level) {
            let opToken = current
            advance()
            let returnsBool = try binaryModifiers(op: op, opToken: opToken)
            let right = try expression(level: level + 1)
            left = try combine(left, right, op: op, returnsBool: returnsBool, at: opToken)
        }
        return left
    }

    /// `bool`, `on(...)`/`ignoring(...)`, `group_left(...)`/`group_right(...)`.
    private mutating func binaryModifiers(op: String, opToken: PromQLToken) throws(PromQLError) -> Bool {
        var returnsBool = false
        if current.identifier?.lowercased() == "bool" {
            guard PromQLFunctions.comparisons.contains(op) else {
                throw current.position.error("bool modifier can only be used on comparison operators")
            }
            returnsBool = true
            advance()
        }
        if let word = current.identifier?.lowercased(), word == "on" || word == "ignoring" {
            advance()
            try labelList()
            if let group = current.identifier?.lowercased(), group == "group_left" || group == "group_right" {
                if PromQLFunctions.setOperators.contains(op) {
                    throw current.position.error("no grouping allowed for \"\(op)\" operation")
                }
                advance()
                if isSymbol("(") { try labelList() }
            }
        }
        return returnsBool
    }

    private func combine(
        _ left: PromQLType, _ right: PromQLType, op: String, returnsBool: Bool, at token: PromQLToken
    ) throws(PromQLError) -> PromQLType {
        for side in [left, right] where side == .matrix || side == .string {
            throw token.position.error("binary expression must contain only scalar and instant vector types")
        }
        if PromQLFunctions.setOperators.contains(op) {
            guard left == .vector, right == .vector else {
                throw token.position.error("set operator \"\(op)\" not allowed in binary scalar expression")
            }
            return .vector
        }
        if left == .scalar, right == .scalar {
            if PromQLFunctions.comparisons.contains(op), !returnsBool {
                throw token.position.error("comparisons between scalars must use BOOL modifier")
            }
            return .scalar
        }
        return .vector
    }

    private mutating func unary() throws(PromQLError) -> PromQLType {
        if isSymbol("-") || isSymbol("+") {
            let token = current
            advance()
            let type = try unary()
            guard type == .scalar || type == .vector else {
                throw token.position.error("unary expression only allowed on expressions of type scalar or instant vector")
            }
            return type
        }
        let base = try postfix(try primary())
        if isSymbol("^") {
            let token = current
            advance()
            let exponent = try unary()
            return try combine(base, exponent, op: "^", returnsBool: false, at: token)
        }
        return base
    }

    private mutating func primary() throws(PromQLError) -> (type: PromQLType, selector: Bool) {
        let token = current
        switch token.kind {
        case .number:
            advance()
            return (.scalar, false)
        case .string:
            advance()
            return (.string, false)
        case .duration:
            throw unexpected("where a value was expected; durations belong in [...] or after offset")
        case .placeholder(let name):
            throw token.position.error("<<.\(name)>> cannot stand here\(placementHint(name))")
        case .symbol("("):
            advance()
            let type = try expression(level: 0)
            try expect(")", "in parenthesised expression")
            return (type, false)
        case .symbol("{"):
            try matchers(requireOne: true)
            return (.vector, true)
        case .identifier(let name):
            let lowered = name.lowercased()
            if lowered == "inf" || lowered == "nan" {
                advance()
                return (.scalar, false)
            }
            if let parameter = PromQLFunctions.aggregations[lowered],
                following.symbol == "(" || ["by", "without"].contains(following.identifier?.lowercased() ?? "")
            {
                advance()
                return (try aggregation(lowered, parameter: parameter, at: token), false)
            }
            if following.symbol == "(" {
                advance()
                return (try call(name, at: token), false)
            }
            if PromQLFunctions.keywords.contains(lowered) {
                throw unexpected("where an expression was expected")
            }
            advance()
            if isSymbol("{") { try matchers(requireOne: false) }
            return (.vector, true)
        default:
            throw unexpected("where an expression was expected")
        }
    }

    private func placementHint(_ name: String) -> String {
        switch placeholders[name] {
        case .matchers: " (it belongs inside a selector's braces, e.g. metric{<<.\(name)>>})"
        case .grouping: " (it belongs inside by (...) or without (...))"
        case .duration: " (it belongs inside [...] as a range, e.g. [<<.\(name)>>])"
        case nil: " (unknown placeholder)"
        }
    }

    /// `[range]`, `[range:step]`, `offset d`, `@ t` after a primary expression.
    private mutating func postfix(_ base: (type: PromQLType, selector: Bool)) throws(PromQLError) -> PromQLType {
        var type = base.type
        var isSelector = base.selector
        var seenOffset = false
        var seenAt = false
        while true {
            if isSymbol("[") {
                let open = current
                advance()
                try duration("in range")
                if isSymbol(":") {
                    advance()
                    guard type == .vector else {
                        throw open.position.error("subquery is only allowed on instant vector, got \(type.rawValue)")
                    }
                    if !isSymbol("]") { try duration("as subquery step") }
                } else {
                    guard isSelector, type == .vector else {
                        throw open.position.error("ranges only allowed for vector selectors")
                    }
                }
                try expect("]", "in range")
                type = .matrix
                isSelector = false
            } else if current.identifier?.lowercased() == "offset" {
                guard type == .vector || type == .matrix, !seenOffset else {
                    throw current.position.error("offset modifier must be preceded by a selector or subquery")
                }
                advance()
                if isSymbol("-") { advance() }
                try duration("after offset")
                seenOffset = true
            } else if isSymbol("@") {
                guard type == .vector || type == .matrix, !seenAt else {
                    throw current.position.error("@ modifier must be preceded by a selector or subquery")
                }
                advance()
                if isSymbol("-") || isSymbol("+") { advance() }
                if case .number = current.kind {
                    advance()
                } else if let word = current.identifier?.lowercased(), word == "start" || word == "end",
                    following.symbol == "("
                {
                    advance()
                    advance()
                    try expect(")", "after \(word)(")
                } else {
                    throw unexpected("after @; expected a timestamp, start() or end()")
                }
                seenAt = true
            } else {
                return type
            }
        }
    }

    private mutating func duration(_ context: String) throws(PromQLError) {
        switch current.kind {
        case .duration(let milliseconds):
            guard milliseconds > 0 || context.contains("offset") else {
                throw current.position.error("duration must be greater than 0")
            }
            advance()
        case .number(let value) where value > 0:
            advance()
        case .placeholder(let name):
            try placeholder(name, in: .duration)
        default:
            throw unexpected("\(context); expected a duration")
        }
    }

    private mutating func placeholder(_ name: String, in context: PlaceholderContext) throws(PromQLError) {
        guard let allowed = placeholders[name] else {
            let known = placeholders.keys.sorted().map { "<<.\($0)>>" }.joined(separator: ", ")
            throw current.position.error(
                "unknown placeholder <<.\(name)>>" + (known.isEmpty ? "" : " (known: \(known))"))
        }
        guard allowed == context else { throw current.position.error("<<.\(name)>> cannot stand here\(placementHint(name))") }
        uses.append(PlaceholderUse(name: name, context: context, offset: current.position.offset, endOffset: current.endOffset))
        advance()
    }

    /// `{name op "value", ...}`, trailing comma allowed.
    private mutating func matchers(requireOne: Bool) throws(PromQLError) {
        let open = current
        try expect("{", "")
        var count = 0
        while !isSymbol("}") {
            if case .placeholder(let name) = current.kind {
                try placeholder(name, in: .matchers)
            } else {
                guard let label = current.identifier, !label.contains(":") else {
                    throw unexpected("in label matching; expected a label name")
                }
                advance()
                guard let op = current.symbol, ["=", "!=", "=~", "!~"].contains(op) else {
                    throw unexpected("in label matching; expected one of \"=\", \"!=\", \"=~\", \"!~\"")
                }
                advance()
                guard case .string = current.kind else { throw unexpected("in label matching; expected a string") }
                advance()
            }
            count += 1
            if isSymbol(",") {
                advance()
            } else if !isSymbol("}") {
                throw unexpected("in label matching; expected \",\" or \"}\"")
            }
        }
        advance()
        if requireOne && count == 0 {
            throw open.position.error("vector selector must contain at least one non-empty matcher")
        }
    }

    /// `(label, label, ...)` for grouping, trailing comma allowed.
    private mutating func labelList() throws(PromQLError) {
        try expect("(", "before grouping labels")
        while !isSymbol(")") {
            if case .placeholder(let name) = current.kind {
                try placeholder(name, in: .grouping)
            } else {
                guard let label = current.identifier, !label.contains(":") else {
                    throw unexpected("in grouping labels; expected a label name")
                }
                advance()
            }
            if isSymbol(",") {
                advance()
            } else if !isSymbol(")") {
                throw unexpected("in grouping labels; expected \",\" or \")\"")
            }
        }
        advance()
    }

    private mutating func aggregation(
        _ name: String, parameter: PromQLType?, at token: PromQLToken
    ) throws(PromQLError) -> PromQLType {
        var grouped = false
        if let word = current.identifier?.lowercased(), word == "by" || word == "without" {
            advance()
            try labelList()
            grouped = true
        }
        let open = current
        try expect("(", "in aggregation \(name)")
        if let parameter {
            try argument(try expression(level: 0), expected: parameter, of: name, at: open)
            try expect(",", "in aggregation \(name); it takes a parameter and a vector")
        }
        try argument(try expression(level: 0), expected: .vector, of: name, at: open)
        try expect(")", "in aggregation \(name)")
        if let word = current.identifier?.lowercased(), word == "by" || word == "without" {
            guard !grouped else { throw current.position.error("aggregation \(name) has two grouping clauses") }
            advance()
            try labelList()
        }
        return .vector
    }

    private mutating func call(_ name: String, at token: PromQLToken) throws(PromQLError) -> PromQLType {
        guard let signature = PromQLFunctions.signatures[name] else {
            throw token.position.error("unknown function with name \"\(name)\"")
        }
        try expect("(", "after function name")
        var types: [PromQLType] = []
        while !isSymbol(")") {
            types.append(try expression(level: 0))
            if isSymbol(",") {
                advance()
                guard !isSymbol(")") else { throw unexpected("in call to \(name); expected an argument") }
            } else if !isSymbol(")") {
                throw unexpected("in call to \(name); expected \",\" or \")\"")
            }
        }
        let closing = current
        advance()
        let minimum = signature.arguments.count - signature.optional
        let fits = types.count >= minimum && (signature.variadic || types.count <= signature.arguments.count)
        guard fits else {
            throw closing.position.error(
                "expected \(minimum == signature.arguments.count ? "\(minimum)" : "at least \(minimum)") argument(s) in call to \"\(name)\", got \(types.count)")
        }
        for (position, type) in types.enumerated() {
            let expected = signature.arguments[min(position, signature.arguments.count - 1)]
            try argument(type, expected: expected, of: name, at: token)
        }
        return signature.returns
    }

    private func argument(_ type: PromQLType, expected: PromQLType, of name: String, at token: PromQLToken) throws(PromQLError) {
        guard type == expected else {
            throw token.position.error("expected type \(expected.rawValue) in call to \(name), got \(type.rawValue)")
        }
    }
}
