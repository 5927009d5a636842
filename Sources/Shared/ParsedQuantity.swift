/// A quantity string split into sign, decimal digits and exponents, evaluated exactly
/// (decimal digit arithmetic, no floating point), so any length or exponent is safe.
struct ParsedQuantity {
    private static let decimalExponents: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
    private static let binaryExponents: [String: Int] = [
        "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
    ]
    /// Go reads `e`/`E` exponents as 32-bit integers.
    private static let maxExponentMagnitude = Int(Int32.max)

    let text: String
    private(set) var negative = false
    /// Significant decimal digits (0...9), most significant first, no leading zeros; empty means zero.
    private(set) var digits: [UInt8] = []
    /// The value is `digits × 10^decimalExponent × 2^binaryExponent`.
    private(set) var decimalExponent = 0
    private(set) var binaryExponent = 0

    init(_ text: String) throws(QuantityError) {
        self.text = text
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw QuantityError(message: "quantity must not be empty") }
        var index = 0
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        let integerDigits = Self.scanDigits(bytes, from: &index)
        var fractionDigits: [UInt8] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = Self.scanDigits(bytes, from: &index)
        }
        guard !(integerDigits.isEmpty && fractionDigits.isEmpty) else {
            throw error("expected a number such as 1, 1.5 or .5")
        }
        digits = Array((integerDigits + fractionDigits).drop(while: { $0 == 0 }))
        let suffix = String(decoding: bytes[index...], as: UTF8.self)
        try interpret(suffix: suffix)
        decimalExponent -= fractionDigits.count
    }

    private mutating func interpret(suffix: String) throws(QuantityError) {
        if let exponent = Self.decimalExponents[suffix] {
            decimalExponent = exponent
        } else if let exponent = Self.binaryExponents[suffix] {
            binaryExponent = exponent
        } else if let first = suffix.utf8.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") {
            decimalExponent = try parseExponent(suffix.utf8.dropFirst())
        } else {
            throw error("unknown suffix \(suffix.diagnosticQuoted); expected one of n u m k M G T P E,"
                + " Ki Mi Gi Ti Pi Ei, or an exponent such as e3")
        }
    }

    private func parseExponent(_ bytes: some Sequence<UInt8>) throws(QuantityError) -> Int {
        var rest = Array(bytes)
        var sign = 1
        if let first = rest.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            rest.removeFirst()
        }
        var index = 0
        let exponentDigits = Self.scanDigits(rest, from: &index)
        guard !exponentDigits.isEmpty, index == rest.count else {
            throw error("exponent must be an integer, e.g. e3 or e-3")
        }
        var magnitude = 0
        for digit in exponentDigits.drop(while: { $0 == 0 }) {
            magnitude = magnitude * 10 + Int(digit)
            if magnitude > Self.maxExponentMagnitude { throw error("exponent is out of range") }
        }
        return sign * magnitude
    }

    private static func scanDigits(_ bytes: [UInt8], from index: inout Int) -> [UInt8] {
        var result: [UInt8] = []
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            result.append(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        return result
    }

    private func error(_ reason: String) -> QuantityError {
        QuantityError(message: "invalid quantity \(text.diagnosticQuoted): \(reason)")
    }
}
