import Testing
@testable import Shared
@testable import TestSupport

@Suite struct QuantityTests {
    /// The table in docs/metrics-api.md ("Quantities"), plus edges.
    @Test(arguments: [
        (105.763, "105763m"), (1.5, "1500m"), (0.5, "500m"), (2, "2"), (1200, "1200"), (12000, "12k"),
        (100_000, "100k"), (-1.5, "-1500m"), (0, "0"), (-0.0, "0"), (0.001, "1m"), (0.0004, "0"),
        (0.0006, "1m"), (-0.0006, "-1m"), (0.0015, "2m"), (-0.0025, "-3m"), (1e15, "1P"), (9e15, "9P"),
        (123_456.789, "123456789m"), (1e-7, "0"), (1_000_000, "1M"), (1.23e9, "1230M"), (10, "10"),
        (0.25, "250m"), (1e12, "1T"), (2.5e12, "2500G"),
    ] as [(Double, String)])
    func formatsDoubles(value: Double, expected: String) {
        #expect(Quantity.format(value) == expected)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e16, -1e16, 9.3e15, .greatestFiniteMagnitude])
    func refusesUnrepresentableDoubles(value: Double) {
        #expect(Quantity.format(value) == nil)
    }

    @Test(arguments: [
        (0, "0"), (1, "1m"), (10, "10m"), (100, "100m"), (1000, "1"), (1500, "1500m"), (10_000, "10"),
        (1_000_000, "1k"), (1_200_000, "1200"), (12_000_000, "12k"), (100_000_000, "100k"), (-1500, "-1500m"),
        (-1000, "-1"), (-12_000_000, "-12k"), (1_000_000_000_000_000_000, "1P"), (5_000_000_000_000_000_000, "5P"),
        (120_000_000_000_000, "120G"), (Int64.max, "9223372036854775807m"), (Int64.min, "-9223372036854775808m"),
        (9_000_000_000_000_000_000, "9P"), (7, "7m"), (70, "70m"), (700, "700m"), (7000, "7"),
    ] as [(Int64, String)])
    func formatsMilliValues(milli: Int64, expected: String) {
        #expect(Quantity.format(milli: milli) == expected)
    }

    @Test(arguments: [
        ("0", 0), ("1", 1000), ("1.5", 1500), ("1500m", 1500), ("2k", 2_000_000), ("12k", 12_000_000),
        ("1Ki", 1_024_000), ("1Mi", 1_048_576_000), ("1Pi", 1_125_899_906_842_624_000), ("0.1Ki", 102_400),
        ("0.5m", 1), ("-0.5m", -1), ("1n", 1), ("100u", 1), ("1000u", 1), ("1001u", 2), ("1e3", 1_000_000),
        ("1E3", 1_000_000), ("1e+3", 1_000_000), ("1e-3", 1), ("1.5e-3", 2), ("-1.5e-3", -2), (".5", 500), ("5.", 5000),
        ("+5", 5000), ("-1500m", -1500), ("1.G", 1_000_000_000_000), ("0.000000001", 1), ("00001.000", 1000),
        ("9223372036854775807m", Int64.max), ("-9223372036854775808m", Int64.min), ("9223372036854775.807", Int64.max),
        ("1e-1000000", 1), ("-1e-1000000", -1), ("0e99999", 0), ("0.000Ei", 0), ("-0", 0), ("105763m", 105_763),
        ("1E", nil), ("8Ei", nil), ("1Ei", nil), ("9223372036854775808m", nil), ("-9223372036854775809m", nil),
        ("1e2147483647", nil), ("10000000P", nil), ("9223372036854775.8075", nil),
    ] as [(String, Int64?)])
    func readsMilliValues(text: String, expected: Int64?) throws {
        if let expected {
            #expect(try Quantity.milliValue(of: text) == expected)
        } else {
            #expect(throws: QuantityError(message: "quantity \(text.diagnosticQuoted) is out of range: its milli-value does not fit in a 64-bit integer")) {
                try Quantity.milliValue(of: text)
            }
        }
    }

    static let suffixHelp = "; expected one of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent such as e3"

    @Test(arguments: [
        ("", "quantity must not be empty"),
        ("abc", "invalid quantity \"abc\": expected a number such as 1, 1.5 or .5"),
        (".", "invalid quantity \".\": expected a number such as 1, 1.5 or .5"),
        ("-", "invalid quantity \"-\": expected a number such as 1, 1.5 or .5"),
        ("k", "invalid quantity \"k\": expected a number such as 1, 1.5 or .5"),
        ("1kk", "invalid quantity \"1kk\": unknown suffix \"kk\"" + suffixHelp),
        ("1 k", "invalid quantity \"1 k\": unknown suffix \" k\"" + suffixHelp),
        ("1ki", "invalid quantity \"1ki\": unknown suffix \"ki\"" + suffixHelp),
        ("1.2.3", "invalid quantity \"1.2.3\": unknown suffix \".3\"" + suffixHelp),
        (" 1", "invalid quantity \" 1\": expected a number such as 1, 1.5 or .5"),
        ("1e", "invalid quantity \"1e\": exponent must be an integer, e.g. e3 or e-3"),
        ("1e1.5", "invalid quantity \"1e1.5\": exponent must be an integer, e.g. e3 or e-3"),
        ("1e-", "invalid quantity \"1e-\": exponent must be an integer, e.g. e3 or e-3"),
        ("1e99999999999", "invalid quantity \"1e99999999999\": exponent is out of range"),
    ])
    func rejectsMalformedQuantities(text: String, message: String) {
        #expect(throws: QuantityError(message: message)) { try Quantity.milliValue(of: text) }
    }

    @Test func formattedMilliValuesReadBackExactly() throws {
        var rng = SplitMix64(seed: 0xA7)
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...18, using: &rng)
            let magnitude = Int64.random(in: 0..<pow10(digits), using: &rng)
            let zeros = Int.random(in: 0...(18 - digits), using: &rng)
            let milli = magnitude * pow10(zeros) * (Bool.random(using: &rng) ? -1 : 1)
            #expect(try Quantity.milliValue(of: Quantity.format(milli: milli)) == milli)
        }
        for milli in [Int64.max, Int64.min, 0, 1, -1, Int64.max - 1, Int64.min + 1] {
            #expect(try Quantity.milliValue(of: Quantity.format(milli: milli)) == milli)
        }
    }

    @Test func doubleFormattingAgreesWithMilliFormatting() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<5000 {
            let milli = Int64.random(in: -(1 << 50)...(1 << 50), using: &rng)
            #expect(Quantity.format(Double(milli) / 1000) == Quantity.format(milli: milli))
        }
    }

    private func pow10(_ exponent: Int) -> Int64 {
        (0..<exponent).reduce(Int64(1)) { value, _ in value * 10 }
    }
}
