import Shared

/// The path every metrics request takes to Sysdig, for both backends: cache and
/// coalescing first, then the client-side rate limit, then the real client. A 429's
/// Retry-After pauses the limiter so no one hammers an account that is being throttled.
struct GuardedSysdig: SysdigQuerying {
    let base: any SysdigQuerying
    let cache: QueryCache
    let limiter: RateLimiter
    let ttl: Duration
    var metrics: AdapterMetrics? = nil

    func queryData(_ request: SysdigDataRequest, timeout: Duration) async throws -> SysdigDataResponse {
        let answer = try await guarded(.data(request), timeout: timeout) { base, remaining in
            .data(try await base.queryData(request, timeout: remaining))
        }
        guard case .data(let response) = answer else { throw Self.mismatch }
        return response
    }

    func queryPromQL(_ request: PromQLRequest, timeout: Duration) async throws -> PromQLResponse {
        let answer = try await guarded(.promql(request), timeout: timeout) { base, remaining in
            .promql(try await base.queryPromQL(request, timeout: remaining))
        }
        guard case .promql(let response) = answer else { throw Self.mismatch }
        return response
    }

    func metricDescriptors(timeout: Duration) async throws -> [SysdigMetricDescriptor] {
        try await base.metricDescriptors(timeout: timeout)
    }

    /// A cached answer is always of its request's kind; this cannot happen.
    private static let mismatch = SysdigError(code: .badResponse, message: "the query cache returned an answer of the wrong kind")

    private func guarded(
        _ request: SysdigBackendRequest, timeout: Duration,
        _ send: @escaping @Sendable (any SysdigQuerying, Duration) async throws -> SysdigBackendResponse
    ) async throws -> SysdigBackendResponse {
        let deadline = ContinuousClock.now + timeout
        return try await cache.response(for: request, ttl: ttl, deadline: deadline) { [base, limiter, metrics] in
            try await limiter.acquire(deadline: deadline)
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw SysdigError(code: .timeout, message: "the request deadline passed while waiting for the rate limiter")
            }
            let start = ContinuousClock.now
            do {
                let response = try await send(base, remaining)
                metrics?.sysdigRequest(outcome: "ok", duration: .now - start)
                return response
            } catch let error as SysdigError {
                metrics?.sysdigRequest(outcome: Self.outcome(error), duration: .now - start)
                if error.code == .rateLimited || error.httpStatus == 503, let retryAfter = error.retryAfter {
                    limiter.pause(until: .now + retryAfter)
                }
                throw error
            }
        }
    }

    /// The `outcome` label: ok, 4xx, 429, 5xx, timeout or error.
    static func outcome(_ error: SysdigError) -> String {
        if error.code == .timeout { return "timeout" }
        switch error.httpStatus {
        case 429?: return "429"
        case let status? where (400..<500).contains(status): return "4xx"
        case let status? where status >= 500: return "5xx"
        default: return "error"
        }
    }
}
