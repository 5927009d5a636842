extension SysdigQueryPlan {
    /// Most pages a segmented query may take (so 100,000 objects): a guard against
    /// a backend that never returns a short page.
    public static let maxPages = 100

    /// Sends the plan's request(s) and reads the samples. Segmented Data API plans
    /// fetch page after page until one comes back short, so every object is returned,
    /// not just Sysdig's default top 10. PromQL plans are always one request.
    /// `timeout` bounds the whole plan: later pages get what the earlier ones left.
    public func execute(using sysdig: any SysdigQuerying, timeout: Duration) async throws -> [Sample] {
        let deadline = ContinuousClock.now + timeout
        switch backendRequest {
        case .promql(let request):
            return samples(from: try await sysdig.queryPromQL(request, timeout: timeout))
        case .data(let request):
            guard segmentLabel != nil else {
                return samples(from: try await sysdig.queryData(request, timeout: timeout))
            }
            var all: [Sample] = []
            for page in 0..<Self.maxPages {
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else {
                    throw SysdigError(code: .timeout, message: "the query's deadline passed after \(page) page(s)")
                }
                let response = try await sysdig.queryData(self.request(page: page) ?? request, timeout: remaining)
                all += samples(from: response)
                if response.data.count < Self.pageSize { break }
            }
            return all
        }
    }
}
