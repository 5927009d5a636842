import Foundation
import Shared

/// The few pieces of Go's `fmt` / `strconv` that the API server's validation messages
/// are made of, so `KubeAPITestServer` answers byte for byte what kube-apiserver answers:
/// `%q` (`strconv.Quote`), `%v` of a `float64` (`strconv.FormatFloat(f, 'g', -1, 64)`) and
/// `%#v` of the `interface{}` values a decoded JSON body holds.
///
/// Numbers follow `k8s.io/apimachinery/pkg/util/json`: a JSON number that is an integer
/// is an `int64`, any other a `float64`. `JSONValue` keeps only a `Double`, so an integral
/// value written as `1.0` counts as the integer `1` here (Go would see `float64(1)`).
enum KubeGoFormat {
    /// The `int64` Go decodes this number into, nil when Go would make it a `float64`.
    static func integer(_ number: Double) -> Int64? {
        guard number.isFinite, number == number.rounded(.towardZero), abs(number) < 9.223_372_036_854_775_808e18 else {
            return nil
        }
        return Int64(number)
    }

    /// `%v` of a number as decoded from JSON.
    static func number(_ number: Double) -> String {
        integer(number).map(String.init) ?? float(number)
    }

    /// `strconv.Quote`: `"..."` with Go's escapes; printable Unicode is kept as is.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default:
                if isPrint(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    /// `%v` of a `float64`: the shortest digits that round-trip, in `%e` form when the
    /// decimal exponent is below -4 or at least 6 (`1e+06`, `1.5`, `1e-05`).
    static func float(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (digits, pointPosition) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.first ?? "0")
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let magnitude = abs(exponent)
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// `%#v` of a decoded JSON value (`map[string]interface {}{"k":"v"}`, keys sorted).
    static func goSyntax(_ value: JSONValue) -> String {
        switch value {
        case .null: return "interface {}(nil)"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return self.number(number)
        case .string(let text): return quote(text)
        case .array(let items): return "[]interface {}{" + items.map(goSyntax).joined(separator: ", ") + "}"
        case .object(let fields):
            let pairs = fields.sorted { $0.key < $1.key }.map { quote($0.key) + ":" + goSyntax($0.value) }
            return "map[string]interface {}{" + pairs.joined(separator: ", ") + "}"
        }
    }

    /// How `field.Error.ErrorBody` prints a bad value: simple types with `%v`, strings
    /// with `%q`, nil as `null`, anything else with `%#v`.
    static func badValue(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return self.number(number)
        case .string(let text): return quote(text)
        case .array, .object: return goSyntax(value)
        }
    }

    /// `swag.IsFloat64AJSONInteger`: integral, or within a relative 1e-9 of an integer,
    /// and within ±(2^53-1).
    static func isJSONInteger(_ value: Double) -> Bool {
        let limit = Double((1 << 53) - 1)
        guard value.isFinite, value >= -limit, value <= limit else { return false }
        let truncated = value.rounded(.towardZero)
        if value == truncated { return true }
        let difference = abs(value - truncated)
        if truncated == 0 { return difference < 1e-9 * Double.leastNonzeroMagnitude }
        return difference / min(abs(value) + abs(truncated), Double.greatestFiniteMagnitude) < 1e-9
    }

    /// The shortest round-tripping decimal digits of a positive finite value and where
    /// the decimal point goes (`1.5` → ("15", 1), `0.001` → ("1", -2)).
    private static func shortestDigits(_ value: Double) -> (digits: String, pointPosition: Int) {
        let text = value.description  // Swift prints the shortest round-tripping form too
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = String(parts[0])
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = String(pieces[0])
        let fraction = pieces.count > 1 ? String(pieces[1]) : ""
        var digits = whole + fraction
        var pointPosition = whole.count + exponent
        while digits.hasPrefix("0"), digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        return (digits, pointPosition)
    }

    /// `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static func isPrint(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
