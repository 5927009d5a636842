import Shared
import Synchronization

/// Carries "a review was refused by the client-side rate limit" from the reviewers to
/// ``DelegatedAuthMiddleware``, which then answers 429 (the adapter is overloaded) instead
/// of 401 (the caller's credentials are bad).
///
/// ``RequestAuthenticator`` reports failed credentials as text only, so the signal travels
/// as a task-local flag the middleware sets around authentication and the reviewers mark.
enum ReviewThrottling {
    /// Set by the middleware for the duration of one request's authentication.
    @TaskLocal static var flag: Flag?

    /// Marks the current request's flag, if any.
    static func record() {
        flag?.set()
    }

    /// Runs `body` with a fresh flag; returns its result and whether a review was throttled.
    static func observing<T: Sendable>(_ body: () async throws -> T) async rethrows -> (T, throttled: Bool) {
        let flag = Flag()
        let value = try await $flag.withValue(flag) { try await body() }
        return (value, flag.isSet)
    }

    /// Whether `error` is the client-side rate limit refusing to wait.
    static func isThrottle(_ error: any Error) -> Bool {
        error is KubeRateLimiter.WaitExceeded
    }

    /// A one-way boolean shared between the middleware and the reviewers.
    final class Flag: Sendable {
        private let value = Mutex(false)

        /// Marks the flag.
        func set() {
            value.withLock { $0 = true }
        }

        /// Whether anything marked it.
        var isSet: Bool { value.withLock { $0 } }
    }
}
