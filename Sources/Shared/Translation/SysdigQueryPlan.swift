/// The exact Sysdig request for one `MetricQuery`, and how to read its answer.
/// Backend-neutral: the same plan shape (and so the same cache, coalescing, rate
/// limit, `explain` and provider path) serves the Data API and PromQL.
public struct SysdigQueryPlan: Sendable, Hashable {
    /// The request as sent (for segmented Data API plans: the first page).
    public let backendRequest: SysdigBackendRequest
    /// The label naming one object when one request returns a value per object:
    /// the Data API segmentation key, or the PromQL group-by label.
    public let segmentLabel: String?
    public let windowSeconds: Int
    public let multiplier: Double?
    public let noData: NoDataPolicy

    /// Segments asked for per page; Sysdig returns only 10 without explicit paging.
    public static let pageSize = 1000

    public init(
        backendRequest: SysdigBackendRequest, segmentLabel: String?, windowSeconds: Int, multiplier: Double?,
        noData: NoDataPolicy
    ) {
        self.backendRequest = backendRequest
        self.segmentLabel = segmentLabel
        self.windowSeconds = windowSeconds
        self.multiplier = multiplier
        self.noData = noData
    }

    /// A Data API plan.
    public init(
        request: SysdigDataRequest, segmentLabel: String?, windowSeconds: Int, multiplier: Double?,
        noData: NoDataPolicy
    ) {
        self.init(
            backendRequest: .data(request), segmentLabel: segmentLabel, windowSeconds: windowSeconds,
            multiplier: multiplier, noData: noData)
    }

    /// The Data API request, for Data API plans.
    public var request: SysdigDataRequest? {
        if case .data(let request) = backendRequest { return request }
        return nil
    }

    /// The PromQL request, for PromQL plans.
    public var promQLRequest: PromQLRequest? {
        if case .promql(let request) = backendRequest { return request }
        return nil
    }

    /// The Data API request for page `index` (0-based) of a segmented plan; nil for PromQL plans.
    public func request(page index: Int) -> SysdigDataRequest? {
        guard var paged = request else { return nil }
        if segmentLabel != nil {
            paged.paging = .init(from: index * Self.pageSize, to: (index + 1) * Self.pageSize - 1)
        }
        return paged
    }

    /// One value read from an answer. `object` is the segment (object name) for segmented plans.
    public struct Sample: Sendable, Hashable {
        public var object: String?
        public var value: Double
        /// Unix seconds of the sample when Sysdig gave one.
        public var timestamp: Int?
        /// PromQL: the series' labels (external metrics answer them as `metricLabels`).
        /// Empty for the Data API, whose answers carry no labels beyond the segment.
        public var labels: [String: String]

        public init(object: String?, value: Double, timestamp: Int?, labels: [String: String] = [:]) {
            self.object = object
            self.value = value
            self.timestamp = timestamp
            self.labels = labels
        }
    }

    /// Reads values from an answer, applying the multiplier. Nulls and non-numbers are
    /// skipped (they are "no data", never 0). For a segment with several time slots
    /// the latest wins.
    public func samples(from response: SysdigDataResponse) -> [Sample] {
        var latest: [String: Sample] = [:]
        var order: [String] = []
        let valueIndex = segmentLabel == nil ? 0 : 1
        for entry in response.data where entry.d.count > valueIndex {
            guard case .number(let raw) = entry.d[valueIndex], raw.isFinite else { continue }
            var object: String?
            if segmentLabel != nil {
                guard case .string(let name) = entry.d[0] else { continue }
                object = name
            }
            let sample = Sample(object: object, value: raw * (multiplier ?? 1), timestamp: entry.t ?? response.end)
            let key = object ?? ""
            if let existing = latest[key] {
                if (sample.timestamp ?? 0) >= (existing.timestamp ?? 0) { latest[key] = sample }
            } else {
                latest[key] = sample
                order.append(key)
            }
        }
        return order.compactMap { latest[$0] }
    }
}
