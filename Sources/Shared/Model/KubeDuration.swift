/// A Kubernetes duration (`metav1.Duration`), written as Go's `time.ParseDuration`
/// accepts it: `60s`, `2m`, `1m30s`, `1h`, `1.5m`. Held as whole milliseconds.
public struct KubeDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public init(seconds: Int) {
        self.milliseconds = Int64(seconds) * 1000
    }

    /// Whole seconds (truncated).
    public var seconds: Int { Int(milliseconds / 1000) }

    public var duration: Duration { .milliseconds(milliseconds) }

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
        lhs.milliseconds < rhs.milliseconds
    }

    private static let unitMilliseconds: [(String, Double)] = [
        ("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
    ]

    /// Parses a Go duration string. Returns nil for anything Go would reject, and for
    /// a bare number without a unit (`"60"`), which Go also rejects.
    public static func parse(_ text: String) -> KubeDuration? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return KubeDuration(milliseconds: 0) }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                let value = Double(number.hasPrefix(".") ? "0" + number : String(number))
            else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let factor = unitMilliseconds.first(where: { $0.0 == unit })?.1 else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * factor
        }
        guard total.isFinite, total < 9e15 else { return nil }
        let milliseconds = Int64(total.rounded())
        return KubeDuration(milliseconds: negative ? -milliseconds : milliseconds)
    }
}
