extension ParsedQuantity {
    /// 10^19 exceeds Int64.max, so more integer digits than this always overflows.
    private static let maxIntegerDigits = 19

    /// `ceil(q × 1000)`, rounding a negative value with a remainder away from zero (Go's MilliValue).
    func milliValue() throws(QuantityError) -> Int64 {
        var significand = digits
        guard !significand.isEmpty else { return 0 }
        var exponent = decimalExponent + 3
        while significand.last == 0 {
            significand.removeLast()
            exponent += 1
        }
        for _ in 0..<(binaryExponent / 10) {
            significand = Self.multiply(significand, by: 1024)
        }
        let integerPart: ArraySlice<UInt8>
        var hasRemainder = false
        if exponent >= 0 {
            guard significand.count + exponent <= Self.maxIntegerDigits else { throw outOfRange() }
            integerPart = ArraySlice(significand + Array(repeating: 0, count: exponent))
        } else if -exponent >= significand.count {
            integerPart = []
            hasRemainder = true
        } else {
            let split = significand.count + exponent
            integerPart = significand[..<split]
            hasRemainder = significand[split...].contains { $0 != 0 }
        }
        guard integerPart.count <= Self.maxIntegerDigits else { throw outOfRange() }
        // At most 19 digits: below 10^19 < UInt64.max, so neither step can overflow.
        let magnitude = integerPart.reduce(UInt64(0)) { $0 * 10 + UInt64($1) } + (hasRemainder ? 1 : 0)
        if negative {
            guard magnitude <= Int64.min.magnitude else { throw outOfRange() }
            return magnitude == Int64.min.magnitude ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw outOfRange() }
        return Int64(magnitude)
    }

    /// Schoolbook multiplication of a most-significant-first decimal digit array.
    private static func multiply(_ digits: [UInt8], by factor: Int) -> [UInt8] {
        var result: [UInt8] = []
        var carry = 0
        for digit in digits.reversed() {
            let product = Int(digit) * factor + carry
            result.append(UInt8(product % 10))
            carry = product / 10
        }
        while carry > 0 {
            result.append(UInt8(carry % 10))
            carry /= 10
        }
        return result.reversed()
    }

    private func outOfRange() -> QuantityError {
        QuantityError(message: "quantity \(text.diagnosticQuoted) is out of range:"
            + " its milli-value does not fit in a 64-bit integer")
    }
}
