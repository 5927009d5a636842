import Foundation
import Synchronization

/// Supplies the Sysdig API token for each request.
///
/// Implementations throw `SysdigError` (code `.configuration`) when no token is
/// available; the error names where the token should come from, never the token.
public protocol SysdigTokenProviding: Sendable {
    /// The current token, without surrounding whitespace.
    func token() async throws -> String
}

/// A token fixed at start-up (from `SDC_TOKEN` or a flag).
public struct StaticSysdigToken: SysdigTokenProviding {
    private let value: String

    /// Wraps `token`; surrounding whitespace is trimmed.
    public init(_ token: String) {
        self.value = token.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The token, or a `.configuration` error when it is empty.
    public func token() async throws -> String {
        guard !value.isEmpty else {
            throw SysdigError(code: .configuration, message: "the Sysdig API token is empty")
        }
        return value
    }
}

/// A token read from a file, typically a mounted Kubernetes Secret.
///
/// The file is re-read whenever its identity changes (resolved path, inode, size or
/// modification time), so a rotated Secret is picked up on the next request without
/// a restart. Kubernetes swaps the `..data` symlink on rotation, which changes the
/// resolved path. Safe to share between tasks: the cache sits behind one `Mutex`.
public final class FileSysdigToken: SysdigTokenProviding {
    private struct Cache {
        var stamp: FileIdentity
        var token: String
    }

    /// The file this provider reads.
    public let path: String
    private let cache = Mutex<Cache?>(nil)

    /// Reads the token from `path` on first use and whenever the file changes.
    public init(path: String) {
        self.path = path
    }

    /// The current token from the file.
    ///
    /// - Throws: `SysdigError` with code `.configuration` naming the path when the
    ///   file is missing, unreadable, not UTF-8 or blank.
    public func token() async throws -> String {
        let stamp = try currentStamp()
        if let cached = cache.withLock({ $0 }), cached.stamp == stamp {
            return cached.token
        }
        let token = try readToken(at: stamp.resolvedPath)
        cache.withLock { $0 = Cache(stamp: stamp, token: token) }
        return token
    }

    private func currentStamp() throws -> FileIdentity {
        guard let identity = FileIdentity.of(path: path) else {
            throw unreadable(reason: "it does not exist or cannot be inspected")
        }
        return identity
    }

    private func readToken(at resolvedPath: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: resolvedPath))
        } catch {
            throw unreadable(reason: "it cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw unreadable(reason: "it is not UTF-8 text")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw unreadable(reason: "it is empty")
        }
        return token
    }

    private func unreadable(reason: String) -> SysdigError {
        SysdigError(
            code: .configuration,
            message: "cannot use the Sysdig API token file \(path): \(reason)")
    }
}
