import Foundation
import Logging

/// Renders log events as single-line JSON objects for log collectors.
///
/// Keys come in a fixed order — `time`, `level`, `logger`, `message`, `source`,
/// `error` (when the event carries one) — followed by the metadata sorted by key.
/// Nested metadata dictionaries are flattened into dotted keys, so
/// `["mapping": ["name": "web"]]` and `["mapping.name": "web"]` both render as
/// `"mapping.name":"web"`. A metadata key that would overwrite one of the fixed
/// keys is renamed `metadata.<key>`; `error` is only fixed when the event
/// carries an error, so the common `"error": "\(error)"` metadata stays `error`.
public struct JSONLogFormatter: Sendable {
    /// Keys the formatter always writes itself; metadata cannot replace them.
    public static let reservedKeys: Set<String> = ["time", "level", "logger", "message", "source"]

    /// Creates a formatter.
    public init() {}

    /// One JSON object, without a trailing newline.
    public func line(
        time: Date, level: Logger.Level, label: String, message: String, source: String,
        error: (any Error)? = nil, metadata: Logger.Metadata
    ) -> String {
        var out = "{"
        Self.appendField("time", Self.timestamp(time), to: &out, first: true)
        Self.appendField("level", level.rawValue, to: &out)
        Self.appendField("logger", label, to: &out)
        Self.appendField("message", message, to: &out)
        Self.appendField("source", source, to: &out)
        var reserved = Self.reservedKeys
        if let error {
            Self.appendField("error", String(describing: error), to: &out)
            reserved.insert("error")
        }
        var fields: [String: Logger.MetadataValue] = [:]
        Self.flatten(metadata, prefix: "", into: &fields)
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            let name = reserved.contains(key) ? "metadata.\(key)" : key
            out += ","
            Self.appendString(name, to: &out)
            out += ":"
            Self.appendValue(value, to: &out)
        }
        out += "}"
        return out
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T01:08:54.123Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// Dictionaries become dotted keys; keys are visited in sorted order so a
    /// clash between `a.b` and `["a": ["b": …]]` always resolves the same way.
    static func flatten(_ metadata: Logger.Metadata, prefix: String, into fields: inout [String: Logger.MetadataValue]) {
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            let name = prefix + key
            if case .dictionary(let nested) = value, !nested.isEmpty {
                flatten(nested, prefix: name + ".", into: &fields)
            } else {
                fields[name] = value
            }
        }
    }

    private static func appendField(_ key: String, _ value: String, to out: inout String, first: Bool = false) {
        if !first { out += "," }
        appendString(key, to: &out)
        out += ":"
        appendString(value, to: &out)
    }

    private static func appendValue(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let string):
            appendString(string, to: &out)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendValue(element, to: &out)
            }
            out += "]"
        case .dictionary(let nested):
            out += "{"
            for (index, key) in nested.keys.sorted().enumerated() {
                guard let element = nested[key] else { continue }
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                appendValue(element, to: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped
    /// (plus U+2028/U+2029, which break naive line splitters and JavaScript).
    static func appendString(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}", "\u{2029}":
                out += "\\u\(String(scalar.value, radix: 16))"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
