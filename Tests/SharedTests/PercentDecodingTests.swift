import Foundation
import Shared
import Testing
import TestSupport

/// The request path decoder agrees with Foundation's `removingPercentEncoding`, which it
/// replaces on the hot path, except that invalid UTF-8 is always refused.
@Suite struct PercentDecodingTests {
    @Test(arguments: [
        ("pods", "pods"), ("%2A", "*"), ("%2a", "*"), ("a%20b", "a b"), ("caf%C3%A9", "café"), ("a+b", "a+b"),
        ("", ""), ("100%25", "100%"),
    ])
    func decodes(input: String, expected: String) {
        #expect(PercentDecoding.decode(input) == expected)
    }

    @Test(arguments: ["%", "%2", "%zz", "a%G1", "%C3", "%FF", "%C3%28"])
    func malformedEscapesAndInvalidUTF8AreNil(input: String) {
        #expect(PercentDecoding.decode(input) == nil)
        #expect(input.removingPercentEncoding == nil)
    }

    @Test func agreesWithFoundationOnRandomText() {
        var random = SplitMix64(seed: 0x5eed)
        let alphabet = Array("%%%0123456789abcdefABCDEFgz+/ é*")
        for _ in 0..<5000 {
            let length = Int(random.next() % 12)
            let text = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let foundation = text.removingPercentEncoding
            if let ours = PercentDecoding.decode(text) {
                #expect(ours == foundation, "\(text)")
            } else {
                // Stricter where corelibs Foundation is lenient: it sometimes lets invalid
                // UTF-8 through as U+FFFD; we refuse (the request is a 400).
                #expect(foundation == nil || foundation?.contains("\u{FFFD}") == true, "\(text)")
            }
        }
    }
}
