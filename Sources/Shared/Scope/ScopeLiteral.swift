/// The single place where Sysdig scope labels and values are checked and quoted.
///
/// Sysdig documents no escaping inside scope values (docs/sysdig-api.md, "Scope filters, and how the
/// adapter escapes values"), so instead of
/// escaping we refuse every value that could end the literal or smuggle in structure:
/// single and double quotes, backslashes and control characters (C0, DEL, C1,
/// U+2028 and U+2029). Everything else, including the empty string, spaces,
/// `and`, parentheses, commas and non-ASCII text, is inert inside `'...'`.
public enum ScopeLiteral {
    /// Words the parser gives meaning to; they can never be labels (compared case-insensitively).
    /// `or` is included because the grammar rejects it between terms.
    public static let keywords: Set<String> = ["and", "or", "not", "in", "contains", "starts", "with"]

    /// Validates `value` and returns it wrapped in single quotes: `'value'`.
    public static func quote(_ value: String) throws(ScopeError) -> String {
        try validateValue(value)
        return wrap(value)
    }

    /// Wraps an already validated value in single quotes; `quote` and `ScopeTerm.rendered` share it.
    static func wrap(_ validatedValue: String) -> String {
        "'" + validatedValue + "'"
    }

    /// Throws unless `value` can be placed verbatim between quotes.
    public static func validateValue(_ value: String) throws(ScopeError) {
        for scalar in value.unicodeScalars {
            if let reason = forbiddenValueReason(scalar) {
                throw ScopeError("scope value contains \(reason)\(valueRuleSuffix)")
            }
        }
    }

    /// Throws unless `label` is a usable Sysdig label: `[A-Za-z_][A-Za-z0-9_.\-/]*`, not a keyword.
    public static func validateLabel(_ label: String) throws(ScopeError) {
        if let reason = labelProblem(label) {
            throw ScopeError(reason)
        }
    }

    /// Appended to every refused-value message so users learn the rule, not just the symptom.
    static let valueRuleSuffix =
        " (Sysdig scope values cannot contain quotes, backslashes or control characters)"

    /// Why `scalar` may not appear in a value, or nil when it may.
    static func forbiddenValueReason(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "'": return "a single quote"
        case "\"": return "a double quote"
        case "\\": return "a backslash"
        case "\u{2028}": return "a line separator (U+2028)"
        case "\u{2029}": return "a paragraph separator (U+2029)"
        default:
            if scalar.properties.generalCategory == .control {
                return "a control character (\(codePoint(scalar)))"
            }
            return nil
        }
    }

    /// Why `label` is not a valid label, or nil when it is.
    static func labelProblem(_ label: String) -> String? {
        guard let first = label.unicodeScalars.first else {
            return "scope label must not be empty"
        }
        for scalar in label.unicodeScalars where !isLabelScalar(scalar) {
            return "scope label contains \(describe(scalar)), which is not allowed;"
                + " use ASCII letters, digits, '_', '.', '-' and '/'"
        }
        if !(isASCIILetter(first) || first == "_") {
            return "scope label '\(label)' must start with a letter or '_'"
        }
        if keywords.contains(label.lowercased()) {
            return "scope label '\(label)' is a reserved keyword"
        }
        return nil
    }

    static func isLabelScalar(_ scalar: Unicode.Scalar) -> Bool {
        isASCIILetter(scalar) || ("0"..."9").contains(scalar)
            || scalar == "_" || scalar == "." || scalar == "-" || scalar == "/"
    }

    static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// `'x'` for printable ASCII other than the quote, `U+XXXX` otherwise, so messages never carry raw control characters.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.value >= 0x21 && scalar.value < 0x7F && scalar != "'" {
            return "'\(Character(scalar))'"
        }
        return codePoint(scalar)
    }

    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
