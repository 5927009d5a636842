extension SysdigQueryPlan {
    /// Reads values from a PromQL answer, applying the multiplier. NaN and ±Inf are
    /// no data, never 0. Segmented plans key each series by `segmentLabel` (series
    /// without it are ignored; a repeated object keeps its first series); other plans
    /// take the first finite series, ordered by labels so the choice is stable.
    public func samples(from response: PromQLResponse) -> [Sample] {
        let ordered = response.samples.sorted { lhs, rhs in
            Self.labelKey(lhs.labels).lexicographicallyPrecedes(Self.labelKey(rhs.labels))
        }
        var result: [Sample] = []
        var seen: Set<String> = []
        for entry in ordered where entry.value.isFinite {
            // A time that is not a finite number within Int's range is no time (Int(_:) would trap).
            let timestamp = Int(exactly: entry.timestamp.rounded(.down))
            let value = entry.value * (multiplier ?? 1)
            if let segmentLabel {
                guard let object = entry.labels[segmentLabel], seen.insert(object).inserted else { continue }
                result.append(Sample(object: object, value: value, timestamp: timestamp))
            } else {
                return [Sample(object: nil, value: value, timestamp: timestamp)]
            }
        }
        return result
    }

    private static func labelKey(_ labels: [String: String]) -> [String] {
        labels.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
    }
}
