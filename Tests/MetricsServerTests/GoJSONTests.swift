import Foundation
import Shared
import Testing

@testable import MetricsServer

@Suite("GoJSON")
struct GoJSONTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("q\"b\\s", #""q\"b\\s""#),
        ("a\nb\rc\td", #""a\nb\rc\td""#),
        ("\u{08}\u{0C}", #""\b\f""#),
        ("\u{01}\u{1F}\u{00}", #""\u0001\u001f\u0000""#),
        ("<a>&b", #""\u003ca\u003e\u0026b""#),
        ("x\u{2028}y\u{2029}z", #""x\u2028y\u2029z""#),
        ("é€😀/", "\"é€😀/\""),
        ("\u{7F}", "\"\u{7F}\""),
    ])
    func escapesLikeGo(input: String, expected: String) {
        #expect(GoJSON.string(input).compactString == expected + "\n")
    }

    @Test func compactKeepsOrderAndEndsWithOneNewline() {
        let value = GoJSON.object([
            ("z", .integer(-3)), ("a", .bool(true)), ("m", .null),
            ("arr", .array([.integer(1), .string("x")])), ("empty", .emptyObject), ("none", .array([])),
        ])
        #expect(value.compactString == #"{"z":-3,"a":true,"m":null,"arr":[1,"x"],"empty":{},"none":[]}"# + "\n")
    }

    @Test func prettyMatchesMarshalIndent() {
        let value = GoJSON.object([
            ("kind", .string("X")), ("metadata", .emptyObject), ("items", .array([])),
            ("list", .array([.object([("a", .integer(1))]), .integer(2)])),
            ("nested", .object([("b", .array([.string("<")]))])),
        ])
        let expected = """
            {
              "kind": "X",
              "metadata": {},
              "items": [],
              "list": [
                {
                  "a": 1
                },
                2
              ],
              "nested": {
                "b": [
                  "\\u003c"
                ]
              }
            }
            """
        #expect(value.prettyString == expected)
        #expect(value.rendered(pretty: true) == expected)
        #expect(!value.prettyString.hasSuffix("\n"))
    }

    @Test func stringMapsSortByBytes() {
        let map = GoJSON.sortedStringMap(["b": "2", "B": "1", "a": "3", "a.b": "4"])
        #expect(map.compactString == #"{"B":"1","a":"3","a.b":"4","b":"2"}"# + "\n")
        #expect(GoJSON.sortedStringMap([:]).compactString == "{}\n")
    }

    @Test(arguments: [
        (1_714_564_805.0, "2024-05-01T12:00:05Z"),
        (1_714_564_805.999, "2024-05-01T12:00:05Z"),
        (0.0, "1970-01-01T00:00:00Z"),
        (-0.5, "1969-12-31T23:59:59Z"),
        (951_782_400.0, "2000-02-29T00:00:00Z"),
        (4_102_444_799.0, "2099-12-31T23:59:59Z"),
    ])
    func formatsMetaV1Time(seconds: Double, expected: String) {
        #expect(KubeTime.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    /// Found by the `sysdig-data` fuzz target: a Data API sample time near Int64.max
    /// (`"t":9223372036854775807`) trapped converting to Int64 while formatting.
    @Test(arguments: [
        (9_223_372_036_854_775_807.0, "9999-12-31T23:59:59Z"),
        (1e300, "9999-12-31T23:59:59Z"),
        (Double.infinity, "9999-12-31T23:59:59Z"),
        (-9_223_372_036_854_775_808.0, "0000-01-01T00:00:00Z"),
        (-Double.infinity, "0000-01-01T00:00:00Z"),
        (253_402_300_799.0, "9999-12-31T23:59:59Z"),
        (-62_167_219_200.0, "0000-01-01T00:00:00Z"),
    ])
    func outOfRangeTimesAreClamped(seconds: Double, expected: String) {
        #expect(KubeTime.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func missingTimeIsNull() {
        #expect(KubeTime.json(nil) == .null)
    }
}
