extension StringProtocol {
    /// The text in double quotes for error messages: `"` and `\` are backslash-escaped and
    /// control characters become `\u{..}`, so user input can never break a message's layout.
    var diagnosticQuoted: String {
        var result = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default:
                if scalar.properties.generalCategory == .control
                    || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
