extension SysdigQueryPlan {
    /// Reads every series of a PromQL answer, applying the multiplier, ordered by labels
    /// so answers are stable. NaN and ±Inf are no data, never 0. Segmented plans name each
    /// sample's object by `segmentLabel` (series without it are ignored). Nothing is
    /// dropped or picked here: several series for one object, or for an object query, are
    /// the caller's to refuse, and every series of an external query is an answer.
    public func samples(from response: PromQLResponse) -> [Sample] {
        let ordered = response.samples.sorted { lhs, rhs in
            Self.labelKey(lhs.labels).lexicographicallyPrecedes(Self.labelKey(rhs.labels))
        }
        var result: [Sample] = []
        for entry in ordered where entry.value.isFinite {
            // A time that is not a finite number within Int's range is no time (Int(_:) would trap).
            let timestamp = Int(exactly: entry.timestamp.rounded(.down))
            let value = entry.value * (multiplier ?? 1)
            var object: String?
            if let segmentLabel {
                guard let name = entry.labels[segmentLabel] else { continue }
                object = name
            }
            result.append(Sample(object: object, value: value, timestamp: timestamp, labels: entry.labels))
        }
        return result
    }

    private static func labelKey(_ labels: [String: String]) -> [String] {
        labels.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
    }
}
