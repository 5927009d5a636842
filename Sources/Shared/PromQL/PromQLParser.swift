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

    /// Deepest nesting of sub-expressions (parentheses, arguments, unary operators, `^`)
    /// accepted. The parser recurses per level, so without a bound a long enough
    /// `((((...` in a mapping overflows the stack and takes the adapter down.
    static let maxNesting = 100

    let tokens: [PromQLToken]
    let placeholders: [String: PlaceholderContext]
    var index = 0
    private var nesting = 0
    private(set) var uses: [PlaceholderUse] = []
    /// Vector selectors without a matchers placeholder in their braces, in order: they
    /// read series the adapter's matchers (cluster, namespace, object) do not narrow.
    private(set) var unscopedSelectors: [PromQLPosition] = []

    init(tokens: [PromQLToken], placeholders: [String: PlaceholderContext]) {
        self.tokens = tokens
        self.placeholders = placeholders
    }

    /// Parses `text` completely and returns its type and the placeholders used.
    static func parse(
        _ text: String, placeholders: [String: PlaceholderContext] = [:]
    ) throws(PromQLError) -> (type: PromQLType, uses: [PlaceholderUse]) {
        let parsed = try parseDetailed(text, placeholders: placeholders)
        return (parsed.type, parsed.uses)
    }

    /// `parse(_:placeholders:)`, plus where each selector without a matchers placeholder stands.
    static func parseDetailed(
        _ text: String, placeholders: [String: PlaceholderContext] = [:]
    ) throws(PromQLError) -> (type: PromQLType, uses: [PlaceholderUse], unscoped: [PromQLPosition]) {
        var parser = PromQLParser(tokens: try PromQLLexer.tokenize(text), placeholders: placeholders)
        guard parser.current.kind != .end else { throw parser.current.position.error("the query is empty") }
        let type = try parser.expression(level: 0)
        guard parser.current.kind == .end else { throw parser.unexpected("after the end of the expression") }
        return (type, parser.uses, parser.unscopedSelectors)
    }

    // MARK: - Token helpers

    var current: PromQLToken { tokens[min(index, tokens.count - 1)] }
    var following: PromQLToken { tokens[min(index + 1, tokens.count - 1)] }

    mutating func advance() { index += 1 }

    func unexpected(_ context: String) -> PromQLError {
        current.position.error("unexpected \(current.quoted) \(context)")
    }

    func isSymbol(_ symbol: String) -> Bool { current.symbol == symbol }

    mutating func expect(_ symbol: String, _ context: String) throws(PromQLError) {
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

    mutating func expression(level: Int) throws(PromQLError) -> PromQLType {
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
        // Every nested sub-expression passes through here, so this bounds the recursion.
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maxNesting else {
            throw current.position.error("the expression nests more than \(Self.maxNesting) levels deep")
        }
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
            if !(try matchers(requireOne: true)) { unscopedSelectors.append(token.position) }
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
            if !(isSymbol("{") ? try matchers(requireOne: false) : false) { unscopedSelectors.append(token.position) }
            return (.vector, true)
        default:
            throw unexpected("where an expression was expected")
        }
    }

    func placementHint(_ name: String) -> String {
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

    mutating func duration(_ context: String) throws(PromQLError) {
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

    mutating func placeholder(_ name: String, in context: PlaceholderContext) throws(PromQLError) {
        guard let allowed = placeholders[name] else {
            let known = placeholders.keys.sorted().map { "<<.\($0)>>" }.joined(separator: ", ")
            throw current.position.error(
                "unknown placeholder <<.\(name)>>" + (known.isEmpty ? "" : " (known: \(known))"))
        }
        guard allowed == context else { throw current.position.error("<<.\(name)>> cannot stand here\(placementHint(name))") }
        uses.append(PlaceholderUse(name: name, context: context, offset: current.position.offset, endOffset: current.endOffset))
        advance()
    }
}
