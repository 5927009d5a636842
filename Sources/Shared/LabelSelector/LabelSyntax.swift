/// Kubernetes label key and value rules (apimachinery `IsQualifiedName`, `IsValidLabelValue`).
enum LabelSyntax {
    static let maxNameLength = 63
    static let maxPrefixLength = 253
    static let maxValueLength = 63

    /// Why `key` is not a valid label key (`[prefix/]name`), or nil when it is.
    static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            if prefix.isEmpty {
                return "invalid key \(quoted(key)): prefix part must be non-empty"
            }
            if let problem = prefixProblem(prefix) {
                return "invalid key \(quoted(key)): prefix part \(problem)"
            }
            name = parts[1]
        default:
            return "invalid key \(quoted(key)): a qualified name must consist of an optional"
                + " DNS subdomain prefix and a name, separated by '/'"
        }
        if name.isEmpty {
            return "invalid key \(quoted(key)): name part must be non-empty"
        }
        if name.utf8.count > maxNameLength {
            return "invalid key \(quoted(key)): name part must be no more than \(maxNameLength) characters"
        }
        if !isNameOrValue(name) {
            return "invalid key \(quoted(key)): name part must consist of alphanumeric characters,"
                + " '-', '_' or '.', and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// Why `value` is not a valid label value for `key`, or nil when it is (the empty string is valid).
    static func valueProblem(_ value: String, key: String) -> String? {
        if value.isEmpty { return nil }
        if value.utf8.count > maxValueLength {
            return "invalid value \(quoted(value)) for key \(quoted(key)):"
                + " must be no more than \(maxValueLength) characters"
        }
        if !isNameOrValue(Substring(value)) {
            return "invalid value \(quoted(value)) for key \(quoted(key)): must be empty or consist of"
                + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`
    static func isNameOrValue(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last,
              isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// RFC 1123 subdomain: lowercase labels `[a-z0-9]([-a-z0-9]*[a-z0-9])?` joined by dots, ≤253 chars.
    static func prefixProblem(_ prefix: Substring) -> String? {
        if prefix.utf8.count > maxPrefixLength {
            return "must be no more than \(maxPrefixLength) characters"
        }
        let valid = prefix.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last,
                  isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
            return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
        return valid ? nil : "must be a lowercase RFC 1123 subdomain (e.g. 'example.com')"
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Double-quoted and escaped for error messages.
    static func quoted(_ text: some StringProtocol) -> String {
        text.diagnosticQuoted
    }
}
