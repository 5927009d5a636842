import Shared
/// A tiny seeded generator (SplitMix64): property tests, fuzz-style tests and the
/// simulator's scripted faults replay exactly from a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A string of `0...maxPieces` pieces drawn from `alphabet`.
    public mutating func string(from alphabet: [String], maxPieces: Int) -> String {
        let count = Int.random(in: 0...maxPieces, using: &self)
        return (0..<count).map { _ in alphabet.randomElement(using: &self) ?? "" }.joined()
    }
}
