/// One lexical token of a PromQL query or template.
struct PromQLToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// Metric, label, function or keyword name (`[A-Za-z_:][A-Za-z0-9_:]*`).
        case identifier(String)
        /// A number literal (decimal, exponent or hex).
        case number(Double)
        /// A duration literal such as `5m` or `1h30m`, in milliseconds.
        case duration(Int64)
        /// A string literal, already unescaped.
        case string(String)
        /// A template placeholder `<<.Name>>` (the name without `<<.` and `>>`).
        case placeholder(String)
        /// Operators and punctuation: `( ) { } [ ] , : @ + - * / % ^ == != <= >= < > =~ !~ =`.
        case symbol(String)
        case end
    }

    var kind: Kind
    var position: PromQLPosition
    /// Offset just past the token's last scalar.
    var endOffset: Int

    var symbol: String? {
        if case .symbol(let text) = kind { return text }
        return nil
    }

    var identifier: String? {
        if case .identifier(let text) = kind { return text }
        return nil
    }

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .identifier(let name): "\"\(name)\""
        case .number(let value): "number \(value)"
        case .duration: "duration"
        case .string: "string literal"
        case .placeholder(let name): "<<.\(name)>>"
        case .symbol(let text): "\"\(text)\""
        case .end: "end of input"
        }
    }
}

/// Splits PromQL text into tokens. Strings are unescaped with the Go/Prometheus rules
/// (`\a \b \f \n \r \t \v \\ \' \" \xHH \NNN \uHHHH \UHHHHHHHH`); `#` starts a comment.
struct PromQLLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1
    /// Inside `[...]` a `:` separates range and step instead of starting a name.
    private var bracketDepth = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(PromQLError) -> [PromQLToken] {
        var lexer = PromQLLexer(text)
        var tokens: [PromQLToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var position: PromQLPosition { PromQLPosition(offset: index, line: line, column: column) }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private static let twoCharacterSymbols: Set<String> = ["==", "!=", "<=", ">=", "=~", "!~"]
    private static let oneCharacterSymbols: Set<Unicode.Scalar> = [
        "(", ")", "{", "}", "[", "]", ",", ":", "@", "+", "-", "*", "/", "%", "^", "<", ">", "=",
    ]

    mutating func next() throws(PromQLError) -> PromQLToken {
        skipSpaceAndComments()
        let start = position
        guard let first = peek() else { return PromQLToken(kind: .end, position: start, endOffset: index) }
        let kind: PromQLToken.Kind
        if first == "<", peek(1) == "<" {
            kind = try placeholder(start)
        } else if first == ":" && bracketDepth > 0 {
            advance()
            kind = .symbol(":")
        } else if Self.isIdentifierStart(first) {
            kind = .identifier(consume(while: Self.isIdentifierPart))
        } else if Self.isDigit(first) || (first == "." && peek(1).map(Self.isDigit) == true) {
            kind = try numberOrDuration(start)
        } else if first == "\"" || first == "'" || first == "`" {
            kind = .string(try string(start))
        } else if let second = peek(1), Self.twoCharacterSymbols.contains(String(first) + String(second)) {
            advance()
            advance()
            kind = .symbol(String(first) + String(second))
        } else if Self.oneCharacterSymbols.contains(first) {
            advance()
            if first == "[" { bracketDepth += 1 }
            if first == "]" { bracketDepth = max(0, bracketDepth - 1) }
            kind = .symbol(String(first))
        } else {
            throw start.error("unexpected character \(Self.describe(first))")
        }
        return PromQLToken(kind: kind, position: start, endOffset: index)
    }

    private mutating func skipSpaceAndComments() {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                advance()
            } else if scalar == "#" {
                while let inner = peek(), inner != "\n" { advance() }
            } else {
                return
            }
        }
    }

    private mutating func consume(while predicate: (Unicode.Scalar) -> Bool) -> String {
        var text = String.UnicodeScalarView()
        while let scalar = peek(), predicate(scalar) {
            text.append(scalar)
            advance()
        }
        return String(text)
    }

    /// `<<.Name>>`.
    private mutating func placeholder(_ start: PromQLPosition) throws(PromQLError) -> PromQLToken.Kind {
        advance()
        advance()
        guard peek() == "." else { throw start.error("\"<<\" must start a placeholder such as <<.LabelMatchers>>") }
        advance()
        let name = consume(while: Self.isIdentifierPart)
        guard !name.isEmpty, peek() == ">", peek(1) == ">" else {
            throw start.error("unterminated placeholder: write it as <<.Name>>")
        }
        advance()
        advance()
        return .placeholder(name)
    }

    private mutating func numberOrDuration(_ start: PromQLPosition) throws(PromQLError) -> PromQLToken.Kind {
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            advance()
            advance()
            let digits = consume(while: { $0.properties.isASCIIHexDigit })
            guard let value = UInt64(digits, radix: 16), !Self.isIdentifierPart(peek() ?? " ") else {
                throw start.error("bad hexadecimal number")
            }
            return .number(Double(value))
        }
        var text = consume(while: Self.isDigit)
        if peek().map(Self.isUnitStart) == true, !text.isEmpty {
            return .duration(try durationTail(firstNumber: text, start))
        }
        if peek() == "." {
            advance()
            text += "." + consume(while: Self.isDigit)
        }
        if peek() == "e" || peek() == "E", let after = peek(1),
            Self.isDigit(after) || ((after == "+" || after == "-") && peek(2).map(Self.isDigit) == true)
        {
            advance()
            text += "e"
            if let sign = peek(), sign == "+" || sign == "-" {
                text += String(sign)
                advance()
            }
            text += consume(while: Self.isDigit)
        }
        guard let value = Double(text.hasPrefix(".") ? "0" + text : text),
            !Self.isIdentifierPart(peek() ?? " ") || peek() == ":"
        else {
            throw start.error("bad number or duration syntax")
        }
        return .number(value)
    }

    static let unitMilliseconds: [String: Int64] = [
        "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000, "y": 31_536_000_000,
    ]

    /// `5m`, `1h30m`, `500ms`: integer and unit pairs, largest unit first.
    private mutating func durationTail(firstNumber: String, _ start: PromQLPosition) throws(PromQLError) -> Int64 {
        var number = firstNumber
        var total: Int64 = 0
        var previousUnit = Int64.max
        while true {
            let unit = consume(while: { $0.properties.isLowercase && $0.isASCII })
            guard let factor = Self.unitMilliseconds[unit], factor < previousUnit,
                let count = Int64(number), count <= Int64.max / factor / 2
            else {
                throw start.error("bad duration syntax")
            }
            previousUnit = factor
            total += count * factor
            guard let next = peek(), Self.isDigit(next) else { break }
            number = consume(while: Self.isDigit)
        }
        if let next = peek(), (Self.isIdentifierPart(next) && next != ":") || next == "." {
            throw start.error("bad duration syntax")
        }
        return total
    }

    private mutating func string(_ start: PromQLPosition) throws(PromQLError) -> String {
        guard let quote = peek() else { throw start.error("unterminated quoted string") }
        advance()
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw start.error("unterminated quoted string") }
            if scalar == quote {
                advance()
                return String(value)
            }
            if quote != "`" && scalar == "\n" { throw start.error("unterminated quoted string") }
            if quote != "`" && scalar == "\\" {
                let escapePosition = position
                advance()
                value.append(try escape(quote: quote, at: escapePosition))
            } else {
                value.append(scalar)
                advance()
            }
        }
    }

    private mutating func escape(quote: Unicode.Scalar, at start: PromQLPosition) throws(PromQLError) -> Unicode.Scalar {
        guard let scalar = peek() else { throw start.error("escape sequence not terminated") }
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}", "\\": "\\",
        ]
        if let mapped = simple[scalar] {
            advance()
            return mapped
        }
        if scalar == quote {
            advance()
            return quote
        }
        let digits: Int
        let radix: Int
        switch scalar {
        case "x": (digits, radix) = (2, 16)
        case "u": (digits, radix) = (4, 16)
        case "U": (digits, radix) = (8, 16)
        case "0"..."7": (digits, radix) = (3, 8)
        default: throw start.error("unknown escape sequence \\\(Self.describe(scalar))")
        }
        if radix == 16 { advance() }
        var text = ""
        for _ in 0..<digits {
            guard let digit = peek(), digit.isASCII, Int(String(digit), radix: radix) != nil else {
                throw start.error("illegal character in escape sequence")
            }
            text.unicodeScalars.append(digit)
            advance()
        }
        guard let code = UInt32(text, radix: radix), let result = Unicode.Scalar(code),
            radix == 16 || code <= 255
        else {
            throw start.error("escape sequence is an invalid Unicode code point")
        }
        return result
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || scalar == ":"
    }

    static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar)
    }

    private static func isUnitStart(_ scalar: Unicode.Scalar) -> Bool {
        "smhdwy".unicodeScalars.contains(scalar)
    }

    /// Printable ASCII as itself in quotes, anything else as `U+XXXX`.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.value > 0x20 && scalar.value < 0x7F { return "\"\(Character(scalar))\"" }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
