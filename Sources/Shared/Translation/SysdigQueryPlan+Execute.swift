extension SysdigQueryPlan {
    /// Most pages a segmented query may take (so 100,000 objects): a guard against
    /// a backend that never returns a short page.
    public static let maxPages = 100

    /// Sends the plan's request(s) and reads the samples. Segmented plans fetch
    /// page after page until one comes back short, so every object is returned,
    /// not just Sysdig's default top 10.
    public func execute(using sysdig: any SysdigQuerying, timeout: Duration) async throws -> [Sample] {
        guard segmentLabel != nil else {
            return samples(from: try await sysdig.queryData(request, timeout: timeout))
        }
        var all: [Sample] = []
        for page in 0..<Self.maxPages {
            let response = try await sysdig.queryData(request(page: page), timeout: timeout)
            all += samples(from: response)
            if response.data.count < Self.pageSize { break }
        }
        return all
    }
}
