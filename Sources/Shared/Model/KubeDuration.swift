/// A Kubernetes duration (`metav1.Duration`), written as Go's `time.ParseDuration`
/// accepts it: `60s`, `2m`, `1m30s`, `1h`, `1.5m`. Held exactly, in nanoseconds, as Go
/// and CEL's `duration()` hold it, so bounds and multiples are judged as kube-apiserver
/// judges them (`1h1ns` is over an hour; `getMilliseconds()` truncates).
public struct KubeDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public init(milliseconds: Int64) {
        self.nanoseconds = milliseconds * 1_000_000
    }

    public init(seconds: Int) {
        self.nanoseconds = Int64(seconds) * 1_000_000_000
    }

    /// Whole milliseconds, truncated toward zero (CEL's `getMilliseconds()`).
    public var milliseconds: Int64 { nanoseconds / 1_000_000 }

    /// Whole seconds (truncated).
    public var seconds: Int { Int(milliseconds / 1000) }

    public var duration: Duration { .nanoseconds(nanoseconds) }

    /// Go's `Duration.String()` style, shortest form: `1m30s`, `2m`, `10s`, `1h`, `500ms`.
    public var description: String {
        if milliseconds == 0 { return "0s" }
        var remaining = milliseconds
        var text = milliseconds < 0 ? "-" : ""
        remaining = abs(remaining)
        let hours = remaining / 3_600_000
        remaining %= 3_600_000
        let minutes = remaining / 60_000
        remaining %= 60_000
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if remaining > 0 {
            if remaining % 1000 == 0 {
                text += "\(remaining / 1000)s"
            } else if hours == 0 && minutes == 0 && remaining < 1000 {
                text += "\(remaining)ms"
            } else {
                text += "\(Double(remaining) / 1000)s"
            }
        }
        return text
    }

    public static func < (lhs: KubeDuration, rhs: KubeDuration) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    private static let unitNanoseconds: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses a Go duration string exactly as `time.ParseDuration` does (integer
    /// nanoseconds, fractions truncated, overflow refused). Returns nil for anything Go
    /// would reject, and for a bare number without a unit (`"60"`), which Go also rejects.
    public static func parse(_ text: String) -> KubeDuration? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return KubeDuration(nanoseconds: 0) }
        guard !rest.isEmpty else { return nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction = Substring("")
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { return nil }
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let factor = unitNanoseconds.first(where: { $0.0 == unit })?.1 else { return nil }
            rest = rest.dropFirst(unit.count)
            var value: Int64 = 0
            for digit in whole {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(Int64(digit.wholeNumberValue ?? 0))
                guard !overflow1, !overflow2 else { return nil }
                value = plus
            }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            // The fraction, truncated to whole nanoseconds (at most 18 digits matter).
            var numerator: Int64 = 0
            var scale: Int64 = 1
            for digit in fraction.prefix(18) {
                numerator = numerator * 10 + Int64(digit.wholeNumberValue ?? 0)
                scale *= 10
            }
            // Go: v += uint64(float64(f) * (float64(unit) / scale)), truncated.
            let part = Int64(Double(numerator) * (Double(factor) / Double(scale)))
            let (sum1, overflowA) = total.addingReportingOverflow(scaled)
            let (sum2, overflowB) = sum1.addingReportingOverflow(part)
            guard !overflowA, !overflowB else { return nil }
            total = sum2
        }
        return KubeDuration(nanoseconds: negative ? -total : total)
    }
}
