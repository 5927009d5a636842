import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// A TLS child channel that asks clients for a certificate but never refuses one at the
/// handshake (Go's `tls.RequestClientCert`): the presented chain is accepted as is and kept
/// on the connection, where the authenticators read it (`nioSSL_peerValidatedCertificateChain()`)
/// and verify it themselves against whichever CA applies (docs/aggregation-layer.md, "Authentication").
///
/// The configuration must request certificates (`certificateVerification = .optionalVerification`,
/// which ``requestingClientCertificates(_:)`` sets) or the callback never runs.
///
/// A chain over ``ClientCertificateLimits`` (issue 13) is logged here, once per connection, and
/// only its first `maxCertificates + 1` certificates are kept: enough for the authenticators to
/// see it is over the limit and refuse it without verifying, never more to parse per request.
public struct ClientCertificateTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    public typealias Value = BaseChannel.Value

    private let sslContext: NIOSSLContext
    private let baseChannel: BaseChannel
    private let limits: ClientCertificateLimits

    /// Wraps `baseChannel` (HTTP/1) in TLS with `tlsConfiguration`.
    /// - Parameter limits: The chain size logged as refused at the handshake; the same as the
    ///   authenticators' (``AuthenticationSettingsStore``'s), both ``ClientCertificateLimits/standard`` by default.
    public init(
        _ baseChannel: BaseChannel, tlsConfiguration: TLSConfiguration, limits: ClientCertificateLimits = .standard
    ) throws {
        self.sslContext = try NIOSSLContext(configuration: tlsConfiguration)
        self.baseChannel = baseChannel
        self.limits = limits
    }

    /// Adds the TLS handler, then the base channel's handlers.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let limits = self.limits
        let peer = channel.remoteAddress.map { "\($0)" } ?? "unknown"
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLServerHandler(
                    context: sslContext, configuration: .init(),
                    customVerificationCallbackWithMetadata: { certificates, promise in
                        // Accept at the handshake; authentication decides what the chain is worth.
                        let kept = Self.keptChain(certificates, limits: limits, peer: peer, logger: logger)
                        promise.succeed(.certificateVerified(VerificationMetadata(ValidatedCertificateChain(kept))))
                    }))
        }.flatMap {
            baseChannel.setup(channel: channel, logger: logger)
        }
    }

    /// The presented chain, cut to `maxCertificates + 1` certificates and logged when over the limits.
    static func keptChain(
        _ certificates: [NIOSSLCertificate], limits: ClientCertificateLimits, peer: String, logger: Logger
    ) -> [NIOSSLCertificate] {
        // The handshake bounds the whole chain (BoringSSL's certificate-list limit); counting it is cheap.
        let bytes = certificates.reduce(0) { $0 + ((try? $1.toDERBytes().count) ?? 0) }
        guard let violation = limits.violation(count: certificates.count, bytes: bytes) else { return certificates }
        logger.info("Client certificate chain over the limits; it authenticates nobody on this connection", metadata: [
            "net.peer": "\(peer)", "tls.client_chain_certificates": "\(certificates.count)",
            "tls.client_chain_bytes": "\(bytes)", "error": "\(violation)",
        ])
        return Array(certificates.prefix(limits.maxCertificates + 1))
    }

    /// Hands the connection to the base channel.
    public func handle(value: Value, logger: Logger) async {
        await baseChannel.handle(value: value, logger: logger)
    }

    /// `configuration` changed to request (not require) client certificates, with no CA list
    /// sent, so clients such as kube-apiserver's proxy present theirs whatever CA signed it.
    public static func requestingClientCertificates(_ configuration: TLSConfiguration) -> TLSConfiguration {
        var configuration = configuration
        configuration.certificateVerification = .optionalVerification
        configuration.trustRoots = .certificates([])
        configuration.sendCANameList = false
        return configuration
    }
}
