import Shared

/// The path every metrics request takes to Sysdig: cache and coalescing first,
/// then the client-side rate limit, then the real client. A 429's Retry-After
/// pauses the limiter so no one hammers an account that is being throttled.
struct GuardedSysdig: SysdigQuerying {
    let base: any SysdigQuerying
    let cache: QueryCache
    let limiter: RateLimiter
    let ttl: Duration

    func queryData(_ request: SysdigDataRequest, timeout: Duration) async throws -> SysdigDataResponse {
        let deadline = ContinuousClock.now + timeout
        return try await cache.response(for: request, ttl: ttl) { [base, limiter] in
            try await limiter.acquire(deadline: deadline)
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw SysdigError(code: .timeout, message: "the request deadline passed while waiting for the rate limiter")
            }
            do {
                return try await base.queryData(request, timeout: remaining)
            } catch let error as SysdigError {
                if error.code == .rateLimited || error.httpStatus == 503, let retryAfter = error.retryAfter {
                    limiter.pause(until: .now + retryAfter)
                }
                throw error
            }
        }
    }

    func metricDescriptors(timeout: Duration) async throws -> [SysdigMetricDescriptor] {
        try await base.metricDescriptors(timeout: timeout)
    }
}
