import Foundation
import Synchronization

/// Supplies the bearer token for each Kubernetes API request.
///
/// Implementations throw `KubeAPIError` with code `.configuration`; the error names
/// where the token should come from, never the token.
public protocol KubeTokenProviding: Sendable {
    /// The current token, without surrounding whitespace.
    func token() throws(KubeAPIError) -> String
}

/// A token fixed at start-up (kubeconfig `token`).
public struct StaticKubeToken: KubeTokenProviding {
    private let value: String

    /// Wraps `token`; surrounding whitespace is trimmed.
    public init(_ token: String) {
        self.value = token.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The token, or a `.configuration` error when it is empty.
    public func token() throws(KubeAPIError) -> String {
        guard !value.isEmpty else { throw KubeAPIError(code: .configuration, message: "the bearer token is empty") }
        return value
    }
}

/// A token read from a file: the projected service account token, or kubeconfig `tokenFile`.
///
/// The kubelet rotates the projected token; client-go re-reads it every minute. This
/// provider re-reads it when the cached copy is older than `maxAge` (default 60 s) or the
/// file's identity changes (resolved path, inode, size, modification time), whichever
/// comes first. Safe to share between tasks: the cache sits behind one `Mutex`.
public final class FileKubeToken: KubeTokenProviding {
    private struct Cache {
        var stamp: FileIdentity
        var readAt: ContinuousClock.Instant
        var token: String
    }

    /// The file this provider reads.
    public let path: String
    private let maxAge: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let cache = Mutex<Cache?>(nil)

    /// - Parameters:
    ///   - path: the token file.
    ///   - maxAge: longest time a read token is used without reading the file again.
    ///   - now: the clock; inject one in tests.
    public init(
        path: String, maxAge: Duration = .seconds(60),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.path = path
        self.maxAge = maxAge
        self.now = now
    }

    /// The current token from the file.
    ///
    /// - Throws: `KubeAPIError` with code `.configuration` naming the path when the file
    ///   is missing, unreadable, not UTF-8 or blank.
    public func token() throws(KubeAPIError) -> String {
        let stamp = try currentStamp()
        let instant = now()
        if let cached = cache.withLock({ $0 }), cached.stamp == stamp, cached.readAt.duration(to: instant) < maxAge {
            return cached.token
        }
        let token = try readToken(at: stamp.resolvedPath)
        cache.withLock { $0 = Cache(stamp: stamp, readAt: instant, token: token) }
        return token
    }

    private func currentStamp() throws(KubeAPIError) -> FileIdentity {
        guard let identity = FileIdentity.of(path: path) else {
            throw unreadable("it does not exist or cannot be inspected")
        }
        return identity
    }

    private func readToken(at resolvedPath: String) throws(KubeAPIError) -> String {
        guard let data = FileManager.default.contents(atPath: resolvedPath) else { throw unreadable("it cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw unreadable("it is not UTF-8 text") }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw unreadable("it is empty") }
        return token
    }

    private func unreadable(_ reason: String) -> KubeAPIError {
        KubeAPIError(code: .configuration, message: "cannot use the bearer token file \(path): \(reason)")
    }
}
