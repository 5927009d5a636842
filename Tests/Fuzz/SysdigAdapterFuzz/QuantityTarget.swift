import Foundation
import Shared

/// `Quantity` both ways: any accepted text reaches a milli-value whose canonical form
/// reads back to the same milli-value and is a fixed point; any Int64 milli-value and any
/// finite Double (the input's first 8 bytes) format to text that reads back exactly.
enum QuantityTarget {
    static func run(_ data: Data) throws(InvariantViolation) {
        let text = String(decoding: data, as: UTF8.self)
        if let milli = try? Quantity.milliValue(of: text) {
            try roundTrip(milli: milli, origin: text.debugDescription)
        }
        guard data.count >= 8 else { return }
        var bits: UInt64 = 0
        for byte in data.prefix(8).reversed() { bits = bits << 8 | UInt64(byte) }
        try roundTrip(milli: Int64(bitPattern: bits), origin: "bits \(bits)")
        let value = Double(bitPattern: bits)
        guard let formatted = Quantity.format(value) else {
            let milli = (value * 1000).rounded(.toNearestOrAwayFromZero)
            try require(
                !value.isFinite || milli < -0x1p63 || milli >= 0x1p63,
                "format(\(value)) is nil for a representable value")
            return
        }
        let expected = Int64((value * 1000).rounded(.toNearestOrAwayFromZero))
        guard let back = try? Quantity.milliValue(of: formatted) else {
            throw InvariantViolation(description: "format(\(value)) = \(formatted) does not parse")
        }
        try require(back == expected, "format(\(value)) = \(formatted) reads back as \(back)m, expected \(expected)m")
    }

    static func roundTrip(milli: Int64, origin: String) throws(InvariantViolation) {
        let canonical = Quantity.format(milli: milli)
        let back: Int64
        do {
            back = try Quantity.milliValue(of: canonical)
        } catch {
            throw InvariantViolation(description: "\(origin): canonical \(canonical) does not parse: \(error)")
        }
        try require(back == milli, "\(origin): \(milli)m formats as \(canonical), which reads back as \(back)m")
        try require(Quantity.format(milli: back) == canonical, "\(origin): \(canonical) is not a fixed point")
    }
}
