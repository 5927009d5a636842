import Crypto
import Foundation
import Logging
import NIOSSL
import Synchronization

/// Holds the current serving certificate and hands it to every TLS handshake, so files
/// rewritten by cert-manager (or a Secret update) take effect without a restart.
///
/// NIOSSL calls ``makeServerTLSConfiguration()``'s `sslContextCallback` once per ClientHello;
/// the callback reads the current material under a lock, so a reload only affects new
/// connections and never an established one.
public final class ServingCertificateStore: Sendable {
    /// Where file-backed material comes from.
    public struct Files: Sendable, Hashable {
        /// `--tls-cert-file`: PEM, leaf first, may hold intermediates.
        public var certificateFile: String
        /// `--tls-private-key-file`: PEM.
        public var privateKeyFile: String

        /// Creates a file pair.
        public init(certificateFile: String, privateKeyFile: String) {
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
        }
    }

    private struct State: Sendable {
        var certificate: ServingCertificate
        var fingerprint: SHA256.Digest?
    }

    private let state: Mutex<State>
    /// The files re-read by ``reloadIfChanged()``; nil for fixed (e.g. self-signed) material.
    public let files: Files?
    private let logger: Logger

    /// Serves fixed material (self-signed or supplied by the caller); ``reloadIfChanged()`` is a no-op.
    public init(certificate: ServingCertificate, logger: Logger = Logger(label: "metrics-server.tls")) {
        self.state = Mutex(State(certificate: certificate, fingerprint: nil))
        self.files = nil
        self.logger = logger
    }

    /// Loads material from files now and re-reads them on ``reloadIfChanged()``.
    ///
    /// - Throws: ``ServingCertificateError`` naming the file that is unreadable or malformed.
    public init(files: Files, logger: Logger = Logger(label: "metrics-server.tls")) throws {
        let (certificate, fingerprint) = try Self.load(files)
        self.state = Mutex(State(certificate: certificate, fingerprint: fingerprint))
        self.files = files
        self.logger = logger
    }

    /// The material new handshakes use.
    public var current: ServingCertificate {
        state.withLock { $0.certificate }
    }

    /// Re-reads the files and swaps the material when their content changed.
    ///
    /// A file that is unreadable or malformed (e.g. half-written during rotation) keeps the
    /// old material and logs a warning; the next check tries again.
    /// - Returns: true when new material was installed.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        guard let files else { return false }
        let loaded: (ServingCertificate, SHA256.Digest)
        do {
            let fingerprint = try Self.fingerprint(files)
            if state.withLock({ $0.fingerprint == fingerprint }) { return false }
            loaded = try Self.load(files)
        } catch {
            logger.warning(
                "Serving certificate reload failed; keeping the current certificate",
                metadata: ["tls.cert_file": "\(files.certificateFile)", "error": "\(error)"]
            )
            return false
        }
        state.withLock { $0 = State(certificate: loaded.0, fingerprint: loaded.1) }
        logger.info("Serving certificate reloaded", metadata: ["tls.cert_file": "\(files.certificateFile)"])
        return true
    }

    /// A server configuration (ALPN `http/1.1`) whose certificate is looked up per handshake,
    /// with `policy`'s minimum version and cipher suites (default: TLS ≥ 1.2, forward-secret
    /// AEAD suites only; NIOSSL's own default would also offer CBC-SHA1 and static RSA).
    ///
    /// Callers may adjust the result (e.g. request client certificates) before serving with it.
    public func makeServerTLSConfiguration(policy: TLSPolicy = TLSPolicy()) -> TLSConfiguration {
        let initial = current
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: initial.certificateChain.map { .certificate($0) },
            privateKey: .privateKey(initial.privateKey)
        )
        policy.apply(to: &configuration)
        configuration.applicationProtocols = ["http/1.1"]
        // Closing a connection sends close_notify; NIOSSL then waits (5 s by default) for
        // the peer's. Idle keep-alive clients (the aggregator) rarely answer, and the wait
        // would hold every shutdown up; nothing is lost by not waiting.
        configuration.shutdownTimeout = .milliseconds(100)
        configuration.sslContextCallback = { [self] _, promise in
            let material = self.current
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = material.certificateChain.map { .certificate($0) }
            override.privateKey = .privateKey(material.privateKey)
            promise.succeed(override)
        }
        return configuration
    }

    private static func readFile(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ServingCertificateError(.unreadableFile, "cannot read \(path): \(error.localizedDescription)")
        }
    }

    private static func fingerprint(_ files: Files) throws -> SHA256.Digest {
        var hasher = SHA256()
        hasher.update(data: try readFile(files.certificateFile))
        hasher.update(data: try readFile(files.privateKeyFile))
        return hasher.finalize()
    }

    private static func load(_ files: Files) throws -> (ServingCertificate, SHA256.Digest) {
        let certificateData = try readFile(files.certificateFile)
        let keyData = try readFile(files.privateKeyFile)
        var hasher = SHA256()
        hasher.update(data: certificateData)
        hasher.update(data: keyData)
        let certificate: ServingCertificate
        do {
            certificate = try ServingCertificate(
                certificateChainPEM: String(decoding: certificateData, as: UTF8.self),
                privateKeyPEM: String(decoding: keyData, as: UTF8.self)
            )
        } catch let error as ServingCertificateError {
            let file = error.code == .invalidPrivateKey ? files.privateKeyFile : files.certificateFile
            throw ServingCertificateError(error.code, "\(file): \(error.message)")
        }
        return (certificate, hasher.finalize())
    }
}
