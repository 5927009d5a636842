import Foundation
import Shared

/// The string formats the test server validates, as kube-openapi's `strfmt` registry
/// does (k8s.io/kube-openapi/pkg/validation/strfmt/time.go and date.go).
enum KubeSchemaFormats {
    /// Whether `value` is valid for `format` (dashes ignored, as the registry normalizes
    /// names). Formats without a checker pass (`password` is any string).
    static func isValid(_ value: String, format: String) -> Bool {
        switch format.replacingOccurrences(of: "-", with: "") {
        case "datetime": isDateTime(value)
        case "date": isDate(value)
        default: true
        }
    }

    /// `strfmt.IsDateTime`: at least 4 bytes; lowercased and split at every `t`, the part
    /// before the first is a full-date, and the part after it matches
    /// `^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$` with
    /// hours ≤ 23, minutes and seconds ≤ 59 (compared as strings, like Go does).
    static func isDateTime(_ value: String) -> Bool {
        guard value.utf8.count >= 4 else { return false }
        let parts = value.lowercased().split(separator: "t", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, isDate(parts[0]) else { return false }
        let time = parts[1]
        guard let match = timePattern?.expression.firstMatch(in: time, range: NSRange(time.startIndex..., in: time)) else {
            return false
        }
        func group(_ number: Int) -> String {
            Range(match.range(at: number), in: time).map { String(time[$0]) } ?? ""
        }
        return group(1) <= "23" && group(2) <= "59" && group(3) <= "59"
    }

    /// `time.Parse("2006-01-02", value)`: four-digit year, two-digit month 01-12 and a
    /// two-digit day that exists in that month.
    static func isDate(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var result = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                result = result * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return result
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// `DateTimePattern` of kube-openapi's strfmt, translated from RE2 (a constant that
    /// compiles; SchemaEnforcementTests checks date-times are accepted).
    private static let timePattern = try? KubeGoPattern(
        "^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$", at: "strfmt.DateTimePattern")
}
