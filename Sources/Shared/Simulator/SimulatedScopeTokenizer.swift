import Shared
/// Splits a scope filter into words, quoted values and punctuation.
enum SimulatedScopeTokenizer {
    enum Token: Sendable, Equatable {
        case word(String)
        case quoted(String)
        case equals, notEquals, open, close, comma
    }

    static func tokenize(_ text: String) throws(SimulatedScope.ParseError) -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            switch character {
            case " ", "\t", "\n":
                index = text.index(after: index)
            case "(":
                tokens.append(.open)
                index = text.index(after: index)
            case ")":
                tokens.append(.close)
                index = text.index(after: index)
            case ",":
                tokens.append(.comma)
                index = text.index(after: index)
            case "=":
                tokens.append(.equals)
                index = text.index(after: index)
            case "!":
                let next = text.index(after: index)
                guard next < text.endIndex, text[next] == "=" else {
                    throw SimulatedScope.ParseError(description: "'!' must be followed by '='")
                }
                tokens.append(.notEquals)
                index = text.index(after: next)
            case "'", "\"":
                let (value, end) = try quoted(in: text, from: index)
                tokens.append(.quoted(value))
                index = end
            default:
                guard isWordCharacter(character) else {
                    throw SimulatedScope.ParseError(description: "unexpected character '\(character)'")
                }
                var end = index
                while end < text.endIndex, isWordCharacter(text[end]) { end = text.index(after: end) }
                tokens.append(.word(String(text[index..<end])))
                index = end
            }
        }
        return tokens
    }

    /// Reads a value quoted by the character at `start`; returns it and the index after
    /// the closing quote. Backslashes and the other quote character are refused.
    private static func quoted(in text: String, from start: String.Index) throws(SimulatedScope.ParseError)
        -> (String, String.Index)
    {
        let quote = text[start]
        var index = text.index(after: start)
        var value = ""
        while index < text.endIndex {
            let character = text[index]
            if character == quote {
                return (value, text.index(after: index))
            }
            if character == "\\" || character == "'" || character == "\"" {
                throw SimulatedScope.ParseError(description: "quotes and backslashes are not allowed inside values")
            }
            value.append(character)
            index = text.index(after: index)
        }
        throw SimulatedScope.ParseError(description: "unterminated quoted value")
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "._-/".contains(character)
    }
}
