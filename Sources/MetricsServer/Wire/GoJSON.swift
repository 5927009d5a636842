/// A JSON value that renders byte-for-byte like Go's `encoding/json`.
///
/// Kubernetes clients compare bytes (caches, golden files, `kubectl get --raw`), so object
/// members keep the order they were built in — the Go struct order — instead of being
/// sorted or hashed the way `JSONEncoder` would. See docs/metrics-api.md, "How the bytes are written".
public indirect enum GoJSON: Sendable, Hashable {
    /// An object whose members are written in the given order.
    case object([(String, GoJSON)])
    /// An array.
    case array([GoJSON])
    /// A string, escaped like Go's HTML-safe encoder.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// A boolean.
    case bool(Bool)
    /// `null`.
    case null

    /// The empty object `{}` (e.g. Kubernetes list `metadata`).
    public static let emptyObject: GoJSON = .object([])

    /// Compact output followed by exactly one `\n`, like `json.Encoder.Encode`.
    public var compactString: String {
        var out = ""
        writeCompact(into: &out)
        out.append("\n")
        return out
    }

    /// Two-space indented output with no trailing newline, like `json.MarshalIndent(v, "", "  ")`.
    public var prettyString: String {
        var out = ""
        writePretty(into: &out, depth: 0)
        return out
    }

    /// Renders compact (`pretty == false`) or indented output.
    public func rendered(pretty: Bool) -> String {
        pretty ? prettyString : compactString
    }

    private func writeCompact(into out: inout String) {
        switch self {
        case .object(let members):
            out.append("{")
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(",") }
                GoJSON.writeEscaped(member.0, into: &out)
                out.append(":")
                member.1.writeCompact(into: &out)
            }
            out.append("}")
        case .array(let elements):
            out.append("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(",") }
                element.writeCompact(into: &out)
            }
            out.append("]")
        default:
            writeScalar(into: &out)
        }
    }

    private func writePretty(into out: inout String, depth: Int) {
        switch self {
        case .object(let members) where !members.isEmpty:
            out.append("{")
            for (index, member) in members.enumerated() {
                out.append(index > 0 ? ",\n" : "\n")
                GoJSON.indent(depth + 1, into: &out)
                GoJSON.writeEscaped(member.0, into: &out)
                out.append(": ")
                member.1.writePretty(into: &out, depth: depth + 1)
            }
            out.append("\n")
            GoJSON.indent(depth, into: &out)
            out.append("}")
        case .array(let elements) where !elements.isEmpty:
            out.append("[")
            for (index, element) in elements.enumerated() {
                out.append(index > 0 ? ",\n" : "\n")
                GoJSON.indent(depth + 1, into: &out)
                element.writePretty(into: &out, depth: depth + 1)
            }
            out.append("\n")
            GoJSON.indent(depth, into: &out)
            out.append("]")
        default:
            // Empty containers stay `{}` / `[]` in json.Indent output.
            writeCompact(into: &out)
        }
    }

    private func writeScalar(into out: inout String) {
        switch self {
        case .string(let value): GoJSON.writeEscaped(value, into: &out)
        case .integer(let value): out.append(String(value))
        case .bool(let value): out.append(value ? "true" : "false")
        case .null: out.append("null")
        case .object, .array: writeCompact(into: &out)
        }
    }

    private static func indent(_ depth: Int, into out: inout String) {
        out.append(String(repeating: "  ", count: depth))
    }

    private static let hexDigits = Array("0123456789abcdef")

    /// Bytes that may start an escape: controls, `"`, `\\`, `<`, `>`, `&`, and the lead
    /// byte of U+2028/U+2029 (0xE2; the slow path looks at whole scalars).
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "<")
            || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == 0xE2
    }

    /// Escapes like Go's `encoding/json` with HTML escaping on (the default for `Marshal`/`Encoder`).
    ///
    /// Go ≥ 1.22 writes `\b` and `\f` as short escapes; every other control character
    /// becomes `\u00xx` (lowercase hex, as Go prints it).
    static func writeEscaped(_ string: String, into out: inout String) {
        out.append("\"")
        // Fast path: nothing to escape (the usual case: names, numbers, timestamps).
        if !string.utf8.contains(where: needsEscape) {
            out.append(string)
            out.append("\"")
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value, into: &out)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value, into: &out)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    private static func appendUnicodeEscape(_ value: UInt32, into out: inout String) {
        out.append("\\u")
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}

extension GoJSON {
    public static func == (lhs: GoJSON, rhs: GoJSON) -> Bool {
        lhs.compactString == rhs.compactString
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(compactString)
    }
}

/// A type that renders itself as Go-compatible JSON, fields in Go struct order.
public protocol GoJSONEncodable: Sendable {
    /// The JSON tree of this value.
    var goJSON: GoJSON { get }
}

extension GoJSONEncodable {
    /// Compact JSON plus one trailing `\n`, as a Go API server writes it.
    public var jsonString: String { goJSON.compactString }
}

/// Builds an object while skipping Go `omitempty` fields.
public struct GoJSONObjectBuilder: Sendable {
    /// Members in insertion order.
    public private(set) var members: [(String, GoJSON)] = []

    /// Creates an empty builder.
    public init() {}

    /// Always appends the member.
    public mutating func add(_ key: String, _ value: GoJSON) {
        members.append((key, value))
    }

    /// Appends a string unless it is nil or empty (Go `omitempty`).
    public mutating func addOmitEmpty(_ key: String, _ value: String?) {
        if let value, !value.isEmpty { members.append((key, .string(value))) }
    }

    /// Appends an integer unless it is nil or zero (Go `omitempty`).
    public mutating func addOmitEmpty(_ key: String, _ value: Int64?) {
        if let value, value != 0 { members.append((key, .integer(value))) }
    }

    /// Appends an array of strings unless it is nil or empty (Go `omitempty`).
    public mutating func addOmitEmpty(_ key: String, _ values: [String]?) {
        if let values, !values.isEmpty { members.append((key, .array(values.map(GoJSON.string)))) }
    }

    /// The finished object.
    public var object: GoJSON { .object(members) }
}
