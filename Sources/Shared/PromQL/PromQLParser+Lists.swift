extension PromQLParser {
    // Matcher lists, grouping lists, aggregations and function calls.

    /// `{name op "value", ...}`, trailing comma allowed. Returns whether a matchers
    /// placeholder (`<<.LabelMatchers>>`) stands in the list.
    @discardableResult
    mutating func matchers(requireOne: Bool) throws(PromQLError) -> Bool {
        let open = current
        try expect("{", "")
        var count = 0
        var placeholderSeen = false
        while !isSymbol("}") {
            if case .placeholder(let name) = current.kind {
                try placeholder(name, in: .matchers)
                placeholderSeen = true
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
        return placeholderSeen
    }

    /// `(label, label, ...)` for grouping, trailing comma allowed.
    mutating func labelList() throws(PromQLError) {
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

    mutating func aggregation(
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

    mutating func call(_ name: String, at token: PromQLToken) throws(PromQLError) -> PromQLType {
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

    func argument(_ type: PromQLType, expected: PromQLType, of name: String, at token: PromQLToken) throws(PromQLError) {
        guard type == expected else {
            throw token.position.error("expected type \(expected.rawValue) in call to \(name), got \(type.rawValue)")
        }
    }
}
