import Foundation

/// A histogram read from the adapter's `/metrics` text: cumulative buckets, sum and count.
struct PrometheusHistogram: Codable, Sendable {
    /// Observations.
    var count: Int
    /// Mean in milliseconds.
    var meanMs: Double
    /// Upper bound (ms) of the bucket holding the median: the histogram's resolution.
    var p50UpperBoundMs: Double?
    /// Upper bound (ms) of the bucket holding the 99th percentile.
    var p99UpperBoundMs: Double?

    /// Parses `name_bucket{le="…"}`, `name_sum` and `name_count` (seconds) out of `text`,
    /// summing over label sets; nil when the metric is absent.
    init?(name: String, in text: String) {
        var buckets: [Double: Double] = [:]
        var sum = 0.0
        var total = 0.0
        var found = false
        for line in text.split(separator: "\n") where line.hasPrefix(name) && !line.hasPrefix("#") {
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            let head = line.dropFirst(name.count)
            if head.hasPrefix("_bucket"), let le = Self.label("le", in: head) {
                buckets[le == "+Inf" ? .infinity : Double(le) ?? .infinity, default: 0] += value
            } else if head.hasPrefix("_sum") {
                sum += value
                found = true
            } else if head.hasPrefix("_count") {
                total += value
                found = true
            }
        }
        guard found else { return nil }
        count = Int(total)
        meanMs = total > 0 ? sum / total * 1000 : 0
        let ordered = buckets.sorted { $0.key < $1.key }
        func upperBound(_ quantile: Double) -> Double? {
            guard total > 0 else { return nil }
            let bound = ordered.first { $0.value >= quantile * total }?.key
            return bound.flatMap { $0.isFinite ? $0 * 1000 : nil }
        }
        p50UpperBoundMs = upperBound(0.5)
        p99UpperBoundMs = upperBound(0.99)
    }

    private static func label(_ key: String, in text: Substring) -> String? {
        guard let start = text.range(of: "\(key)=\"") else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
