import Foundation
import Shared

/// A schema `pattern` matched the way the API server matches it: Go's RE2
/// `regexp.MatchString` (an unanchored search), run with `NSRegularExpression` after a
/// translation of the places where ICU and RE2 disagree:
///
/// - `$` is the end of the text in RE2 (ICU also matches before a final newline): `\z`;
/// - `.` matches `\r` and every character but `\n` in RE2: `[^\n]`;
/// - `\d`, `\w`, `\s` are ASCII-only in RE2: explicit ASCII classes;
/// - `[` inside a class is a literal in RE2 (a nested set in ICU), so is `&`: escaped;
/// - `(?P<name>` is RE2's named group: `(?<name>`.
///
/// What RE2 itself rejects (look-around, backreferences, `\Z`) and what the translation does
/// not cover (flags `m`, `s`, `U`, POSIX classes, negated shorthands inside a class) is
/// refused when the CRD is loaded, with the pattern's path.
struct KubeGoPattern: Sendable {
    /// The pattern as written in the CRD (what the error message quotes).
    let source: String
    let expression: NSRegularExpression

    init(_ source: String, at path: String) throws(KubeCRDSchemaError) {
        self.source = source
        let translated = try Self.translate(source, at: path)
        do {
            expression = try NSRegularExpression(pattern: translated)
        } catch {
            throw KubeCRDSchemaError("\(path): \(KubeGoFormat.quote(source)) is not a valid regular expression")
        }
    }

    /// Whether `text` contains a match (`regexp.MatchString`).
    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The ICU pattern equivalent to the RE2 pattern `source`.
    static func translate(_ source: String, at path: String) throws(KubeCRDSchemaError) -> String {
        let scalars = Array(source.unicodeScalars)
        var out = ""
        var index = 0
        var inClass = false
        var classStart = false
        func refuse(_ why: String) -> KubeCRDSchemaError {
            KubeCRDSchemaError("\(path): \(KubeGoFormat.quote(source)): \(why)")
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if scalar == "\\" {
                guard let next else { throw refuse("the pattern ends with a lone backslash") }
                out += try escape(next, inClass: inClass, refuse: refuse)
                index += 2
                classStart = false
                continue
            }
            if inClass {
                switch scalar {
                case "]" where !classStart:
                    inClass = false
                    out += "]"
                case "[":
                    if next == ":" { throw refuse("POSIX classes like [[:alpha:]] are not translated; use explicit ranges") }
                    out += "\\["
                case "]":  // first in the class: a literal
                    out += "\\]"
                case "&":
                    out += "\\&"
                default:
                    out.unicodeScalars.append(scalar)
                }
                classStart = false
                index += 1
                continue
            }
            switch scalar {
            case "[":
                inClass = true
                classStart = true
                out += "["
                if next == "^" {
                    out += "^"
                    index += 1
                }
            case "$":
                out += "\\z"
            case ".":
                out += "[^\\n]"
            case "(" where next == "?":
                let (replacement, consumed) = try group(scalars, at: index, refuse: refuse)
                out += replacement
                index += consumed
                continue
            default:
                out.unicodeScalars.append(scalar)
            }
            index += 1
        }
        if inClass { throw refuse("a character class is not closed") }
        return out
    }

    private static func escape(
        _ next: Unicode.Scalar, inClass: Bool, refuse: (String) -> KubeCRDSchemaError
    ) throws(KubeCRDSchemaError) -> String {
        let ascii: [Unicode.Scalar: String] = ["d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r "]
        switch next {
        case "d", "w", "s":
            let members = ascii[next] ?? ""
            return inClass ? members : "[" + members + "]"
        case "D", "W", "S":
            if inClass { throw refuse("a negated shorthand (\\\(next)) inside [...] is not translated") }
            let lower = Unicode.Scalar(next.value + 32) ?? next
            return "[^" + (ascii[lower] ?? "") + "]"
        case "1"..."9":
            throw refuse("backreferences are not supported by Go's RE2")
        case "Z":
            throw refuse("\\Z is not supported by Go's RE2 (use \\z or $)")
        default:
            return "\\" + String(next)
        }
    }

    /// `(?...`: named groups translated, non-capturing groups and the `i` flag kept,
    /// everything else refused. Returns the replacement and how many scalars it covers.
    private static func group(
        _ scalars: [Unicode.Scalar], at start: Int, refuse: (String) -> KubeCRDSchemaError
    ) throws(KubeCRDSchemaError) -> (String, Int) {
        let rest = scalars[(start + 2)...]
        if rest.starts(with: ["P", "<"]) { return ("(?<", 4) }
        if rest.starts(with: ["="]) || rest.starts(with: ["!"]) || rest.starts(with: ["<"]) {
            throw refuse("look-around is not supported by Go's RE2")
        }
        let flags = rest.prefix { $0 != ")" && $0 != ":" }
        for flag in flags where flag != "i" && flag != "-" {
            throw refuse("the flag \(flag) is not translated (only i is)")
        }
        return ("(?", 2)
    }
}

/// A CRD the test server cannot enforce (unreadable, not structural, or using something
/// it does not implement); the message names the file or schema path and what to do.
public struct KubeCRDSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
