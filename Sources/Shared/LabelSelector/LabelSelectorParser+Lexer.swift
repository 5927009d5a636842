extension LabelSelectorParser {
    /// Splits the input into tokens; the last token is always `.end`.
    ///
    /// Like Go's lexer: whitespace is space, tab, CR, LF; `=!(),<>` are special symbols
    /// (`!=` and `==` are the only two-symbol tokens); any other run of bytes is an
    /// identifier, or the keyword `in`/`notin`.
    static func lex(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while true {
            while index < bytes.count, isWhitespace(bytes[index]) {
                index += 1
            }
            guard index < bytes.count else {
                tokens.append(Token(kind: .end, text: "", offset: index))
                return tokens
            }
            let start = index
            if let kind = symbolKind(bytes[index]) {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "="), kind == .bang || kind == .equals {
                    index += 1
                    tokens.append(Token(kind: kind == .bang ? .notEquals : .doubleEquals,
                                        text: kind == .bang ? "!=" : "==", offset: start))
                } else {
                    tokens.append(Token(kind: kind, text: String(decoding: [bytes[start]], as: UTF8.self),
                                        offset: start))
                }
                continue
            }
            while index < bytes.count, !isWhitespace(bytes[index]), symbolKind(bytes[index]) == nil {
                index += 1
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            let kind: Kind = text == "in" ? .inKeyword : text == "notin" ? .notInKeyword : .identifier
            tokens.append(Token(kind: kind, text: text, offset: start))
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    private static func symbolKind(_ byte: UInt8) -> Kind? {
        switch byte {
        case UInt8(ascii: "="): .equals
        case UInt8(ascii: "!"): .bang
        case UInt8(ascii: "("): .openPar
        case UInt8(ascii: ")"): .closePar
        case UInt8(ascii: ","): .comma
        case UInt8(ascii: ">"): .greaterThan
        case UInt8(ascii: "<"): .lessThan
        default: nil
        }
    }
}
