import AsyncHTTPClient

/// Runs `operation`, giving up after `timeout` with `HTTPClientError.deadlineExceeded`.
/// AsyncHTTPClient's own deadline stops at the response head; this one also covers
/// reading the body (the Sysdig and Kubernetes clients both need that).
func withDeadline<T: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw HTTPClientError.deadlineExceeded
        }
        return value
    }
}
