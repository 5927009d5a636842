import NIOSSL

/// Serving certificate material: a leaf (plus any intermediates) and its key, as PEM and as NIOSSL objects.
public struct ServingCertificate: Sendable {
    /// The chain, leaf first, as one PEM bundle.
    public let certificateChainPEM: String
    /// The leaf's private key in PEM (PKCS#8 or SEC1/PKCS#1, whatever the source holds).
    public let privateKeyPEM: String
    /// The CA that signed the leaf, when we generated it ourselves (usable as an APIService `caBundle`).
    public let caCertificatePEM: String?
    /// The chain parsed for NIOSSL.
    public let certificateChain: [NIOSSLCertificate]
    /// The key parsed for NIOSSL.
    public let privateKey: NIOSSLPrivateKey

    /// Parses PEM material.
    ///
    /// - Throws: ``ServingCertificateError`` when the chain is empty or either part does not parse.
    public init(certificateChainPEM: String, privateKeyPEM: String, caCertificatePEM: String? = nil) throws {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8))
        } catch {
            throw ServingCertificateError(.invalidCertificate, "certificate PEM does not parse: \(error)")
        }
        guard !chain.isEmpty else {
            throw ServingCertificateError(.invalidCertificate, "certificate PEM holds no certificate")
        }
        do {
            self.privateKey = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        } catch {
            throw ServingCertificateError(.invalidPrivateKey, "private key PEM does not parse: \(error)")
        }
        self.certificateChain = chain
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.caCertificatePEM = caCertificatePEM
    }
}

/// Why serving material could not be created or loaded.
public struct ServingCertificateError: Error, CustomStringConvertible, Sendable {
    /// Extensible error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The certificate (chain) is missing or malformed.
        public static let invalidCertificate = Code("invalidCertificate")
        /// The private key is missing or malformed.
        public static let invalidPrivateKey = Code("invalidPrivateKey")
        /// A file could not be read.
        public static let unreadableFile = Code("unreadableFile")
        /// Generating a self-signed certificate failed.
        public static let generationFailed = Code("generationFailed")
        /// An IP address SAN is not a valid IPv4/IPv6 literal.
        public static let invalidIPAddress = Code("invalidIPAddress")
    }

    /// What went wrong.
    public let code: Code
    /// Human-readable detail (file names, parser messages; never key material).
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "ServingCertificateError(\(code)): \(message)" }
}
