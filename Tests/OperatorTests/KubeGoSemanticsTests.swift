import Foundation
@testable import Shared
import Testing
@testable import TestSupport

/// The Go behaviors the test server's validation messages depend on: `fmt` and
/// `strconv` output, RE2 matching, strfmt's date-time, and the aggregate message shape.
@Suite struct KubeGoSemanticsTests {
    @Test(arguments: [
        (0.0, "0"), (1.5, "1.5"), (100_000.0, "100000"), (1e6, "1e+06"), (1_234_567.0, "1.234567e+06"), (0.0001, "0.0001"),
        (0.00001, "1e-05"), (-2.5e-7, "-2.5e-07"), (1e21, "1e+21"), (0.1, "0.1"), (123.456, "123.456"),
    ])
    func floatsPrintLikeGo(_ value: Double, _ expected: String) {
        #expect(KubeGoFormat.float(value) == expected)
    }

    @Test func stringsQuoteLikeStrconvQuote() {
        #expect(KubeGoFormat.quote("a\"b\\c\n\t\r") == #""a\"b\\c\n\t\r""#)
        #expect(KubeGoFormat.quote("µs é 日本") == #""µs é 日本""#)
        #expect(KubeGoFormat.quote("\u{01}\u{7F}\u{85}\u{200B}") == #""\x01\x7f\u0085\u200b""#)
        #expect(KubeGoFormat.quote("\u{E0001}") == #""\U000e0001""#)
    }

    @Test func compoundValuesPrintWithGoSyntax() {
        let value: JSONValue = ["type": "Ready", "n": 1, "f": 1.5, "list": ["a", true, .null]]
        #expect(
            KubeGoFormat.goSyntax(value)
                == #"map[string]interface {}{"f":1.5, "list":[]interface {}{"a", true, interface {}(nil)}, "n":1, "type":"Ready"}"#)
    }

    @Test func patternsMatchLikeRE2() throws {
        let duration = try KubeGoPattern(#"^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))+)$"#, at: "t")
        #expect(duration.matches("60s"))
        #expect(duration.matches("1µs"))
        #expect(!duration.matches("60s\n"))  // $ is the end of the text in RE2
        let dot = try KubeGoPattern("^a.b$", at: "t")
        #expect(dot.matches("a\rb"))  // RE2's . matches \r; ICU's does not
        #expect(!dot.matches("a\nb"))
        let digits = try KubeGoPattern(#"^\d+\w*$"#, at: "t")
        #expect(digits.matches("42ab_"))
        #expect(!digits.matches("٤٢"))  // RE2's \d is ASCII
        let klass = try KubeGoPattern("^[]a[]+$", at: "t")
        #expect(klass.matches("]a["))  // ] first and [ inside a class are literals in RE2
        let named = try KubeGoPattern("^(?P<word>[a-z]+)$", at: "t")
        #expect(named.matches("abc"))
        #expect(try KubeGoPattern("b", at: "t").matches("abc"))  // unanchored search, like MatchString
    }

    @Test func dateTimesFollowStrfmt() {
        for valid in ["2024-05-01T10:00:00Z", "2024-05-01t10:00:00.5+02:00", "2024-02-29T23:59:59-00:00"] {
            #expect(KubeSchemaFormats.isDateTime(valid), "\(valid)")
        }
        for invalid in ["yesterday", "2024-05-01", "2024-05-01T24:00:00Z", "2023-02-29T10:00:00Z", "2024-05-01T10:00:00", "2024-5-01T10:00:00Z"] {
            #expect(!KubeSchemaFormats.isDateTime(invalid), "\(invalid)")
        }
        #expect(KubeTime.format(Date(timeIntervalSince1970: 1_700_000_000)).isEmpty == false)
        #expect(KubeSchemaFormats.isDateTime(KubeTime.format(Date(timeIntervalSince1970: 1_700_000_000))))
    }

    @Test func aggregatesLikeFieldErrorList() {
        let one = KubeFieldError.required("spec")
        let two = KubeFieldError.invalid("spec.window", .string("15x"), "bad")
        #expect(KubeFieldError.aggregate([one]) == "spec: Required value")
        #expect(KubeFieldError.aggregate([one, two, one]) == #"[spec: Required value, spec.window: Invalid value: "15x": bad]"#)
        #expect(two.cause == ["reason": "FieldValueInvalid", "message": #"Invalid value: "15x": bad"#, "field": "spec.window"])
    }
}
