/// The single place where values are escaped for PromQL.
///
/// `quote` turns any string into a double-quoted PromQL string literal that the
/// Prometheus lexer reads back as exactly that string: `\` and `"` are escaped,
/// and every scalar outside printable ASCII (controls, DEL, U+FFFD, line
/// separators, all non-ASCII text) is written as `\uXXXX` or `\UXXXXXXXX`, so the
/// literal is pure ASCII and no value can end it or add structure to the query.
/// Regex matchers first pass each value through `regexQuoteMeta` (RE2's QuoteMeta),
/// then through `quote`.
public enum PromQLLiteral {
    /// `value` as a PromQL string literal, e.g. `"a\"b"`.
    public static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + hex(scalar.value, digits: 4)
                } else {
                    out += "\\U" + hex(scalar.value, digits: 8)
                }
            }
        }
        return out + "\""
    }

    /// RE2 metacharacters; each is prefixed with `\` by `regexQuoteMeta`.
    public static let regexMetacharacters: Set<Unicode.Scalar> = [
        "\\", ".", "+", "*", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$",
    ]

    /// `value` with every RE2 metacharacter escaped, so it matches only itself (Go's `regexp.QuoteMeta`).
    public static func regexQuoteMeta(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if regexMetacharacters.contains(scalar) { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }

    /// A regex literal matching exactly one of `values` (PromQL regexes are anchored):
    /// `"a|b\\.c"` for `["a", "b.c"]`.
    public static func regexAlternation(_ values: [String]) -> String {
        quote(values.map(regexQuoteMeta).joined(separator: "|"))
    }

    /// Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`. Names are never escaped; others are refused.
    public static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 256,
            PromQLLexer.isIdentifierStart(first), first != ":"
        else { return false }
        return name.unicodeScalars.allSatisfy { PromQLLexer.isIdentifierPart($0) && $0 != ":" }
    }

    /// Prometheus metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, PromQLLexer.isIdentifierStart(first) else { return false }
        return name.unicodeScalars.allSatisfy(PromQLLexer.isIdentifierPart)
    }

    /// Kubernetes label keys (`app.kubernetes.io/name`) as a Prometheus label suffix:
    /// every character outside `[a-zA-Z0-9_]` becomes `_` (the kube-state-metrics convention).
    public static func sanitizedLabelName(_ key: String) -> String {
        String(String.UnicodeScalarView(key.unicodeScalars.map { scalar in
            PromQLLexer.isIdentifierPart(scalar) && scalar != ":" ? scalar : "_"
        }))
    }

    /// A window as a PromQL duration, in the largest unit that divides it: `1h`, `5m`, `90s`, `1500ms`.
    public static func duration(milliseconds: Int64) -> String {
        for (unit, size) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000)]
        where milliseconds > 0 && milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(max(milliseconds, 1))ms"
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
