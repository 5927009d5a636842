import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// A TLS child channel that asks clients for a certificate but never refuses one at the
/// handshake (Go's `tls.RequestClientCert`): the presented chain is accepted as is and kept
/// on the connection, where the authenticators read it (`nioSSL_peerValidatedCertificateChain()`)
/// and verify it themselves against whichever CA applies (PROTOCOL.md B3).
///
/// The configuration must request certificates (`certificateVerification = .optionalVerification`,
/// which ``requestingClientCertificates(_:)`` sets) or the callback never runs.
public struct ClientCertificateTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    public typealias Value = BaseChannel.Value

    private let sslContext: NIOSSLContext
    private let baseChannel: BaseChannel

    /// Wraps `baseChannel` (HTTP/1) in TLS with `tlsConfiguration`.
    public init(_ baseChannel: BaseChannel, tlsConfiguration: TLSConfiguration) throws {
        self.sslContext = try NIOSSLContext(configuration: tlsConfiguration)
        self.baseChannel = baseChannel
    }

    /// Adds the TLS handler, then the base channel's handlers.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLServerHandler(
                    context: sslContext, configuration: .init(),
                    customVerificationCallbackWithMetadata: { certificates, promise in
                        // Accept at the handshake; authentication decides what the chain is worth.
                        promise.succeed(.certificateVerified(VerificationMetadata(ValidatedCertificateChain(certificates))))
                    }))
        }.flatMap {
            baseChannel.setup(channel: channel, logger: logger)
        }
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
