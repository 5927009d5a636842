import Hummingbird
import NIOCore
import NIOSSL
import X509

/// The request context of the adapter's server: Hummingbird's core storage, the connection
/// (for the client's certificate chain) and, once authenticated, the user.
public struct AdapterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    public let channel: (any Channel)?
    /// Set by ``DelegatedAuthMiddleware`` before any route runs.
    public var user: UserInfo?

    /// Creates a context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.user = nil
    }

    /// The certificate chain the client presented in the TLS handshake (leaf first),
    /// unverified; empty when it sent none, on plain connections, or when a certificate
    /// does not parse.
    public func peerCertificateChain() async -> [Certificate] {
        guard let channel,
              let presented = try? await channel.nioSSL_peerValidatedCertificateChain().get()
        else { return [] }
        var chain: [Certificate] = []
        for certificate in presented {
            guard let bytes = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: bytes) else {
                return []
            }
            chain.append(parsed)
        }
        return chain
    }
}
