import Crypto
import Foundation
import NIOSSL
import Shared
import X509

/// The certificates of the attack benchmark: the front-proxy (request-header) CA and the
/// client CA kube-apiserver publishes in `kube-system/extension-apiserver-authentication`,
/// the aggregator's front-proxy client certificate, and the crafted chains of issue 13.
struct AttackPKI: Sendable {
    /// A CA certificate and its key.
    struct Authority: Sendable {
        let certificate: Certificate
        let key: P256.Signing.PrivateKey

        init(commonName: String) throws {
            key = P256.Signing.PrivateKey()
            let name = try DistinguishedName { CommonName(commonName) }
            let publicKey = Certificate.PublicKey(key.publicKey)
            certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                    SubjectKeyIdentifier(hash: publicKey)
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
        }

        var pem: String {
            get throws { try certificate.serializeAsPEM().pemString + "\n" }
        }

        /// A client certificate (clientAuth) named `commonName`, signed by this CA.
        func issueClient(commonName: String) throws -> AttackChain {
            let leafKey = P256.Signing.PrivateKey()
            let leaf = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(leafKey.publicKey),
                notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
                issuer: certificate.subject, subject: try DistinguishedName { CommonName(commonName) },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.clientAuth])
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
            return AttackChain(certificates: [leaf], key: leafKey)
        }
    }

    /// The common name kube-apiserver's front-proxy client certificate carries (kubeadm's default).
    static let frontProxyName = "front-proxy-client"

    let requestHeaderCA: Authority
    let clientCA: Authority
    /// What the aggregator presents: signed by the request-header CA, CN `front-proxy-client`.
    let frontProxy: AttackChain

    init() throws {
        requestHeaderCA = try Authority(commonName: "front-proxy-ca")
        clientCA = try Authority(commonName: "kubernetes-client-ca")
        frontProxy = try requestHeaderCA.issueClient(commonName: Self.frontProxyName)
    }

    /// `kube-system/extension-apiserver-authentication` as kube-apiserver writes it (kubeadm's values).
    func configMap() throws -> JSONValue {
        let data: [String: String] = [
            "requestheader-client-ca-file": try requestHeaderCA.pem,
            "requestheader-allowed-names": #"["\#(Self.frontProxyName)"]"#,
            "requestheader-username-headers": #"["X-Remote-User"]"#,
            "requestheader-group-headers": #"["X-Remote-Group"]"#,
            "requestheader-extra-headers-prefix": #"["X-Remote-Extra-"]"#,
            "client-ca-file": try clientCA.pem,
        ]
        return .object([
            "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
            "metadata": .object(["name": .string("extension-apiserver-authentication"), "namespace": .string("kube-system")]),
            "data": .object(data.mapValues { .string($0) }),
        ])
    }

    /// The crafted chain of issue 13: `count` CA certificates sharing one subject and one (new)
    /// key, differing only in their SAN, each one's signature verifying under every other one.
    /// Unbounded path building explores their orderings: work grows factorially with `count`.
    static func craftedChain(count: Int) throws -> AttackChain {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName { CommonName("loop") }
        let tag = UInt32.random(in: 0...UInt32.max)
        let certificates = try (0..<max(1, count)).map { index in
            try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                    SubjectAlternativeNames([.dnsName("loop-\(tag)-\(index).example")])
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
        }
        return AttackChain(certificates: certificates, key: key)
    }
}

/// A certificate chain (leaf first) and the leaf's key, for a client's TLS configuration.
struct AttackChain: Sendable {
    let certificates: [Certificate]
    let key: P256.Signing.PrivateKey

    /// A client configuration presenting this chain, not verifying the server (self-signed).
    func clientTLS() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        tls.certificateChain = try certificates.map { certificate in
            .certificate(try NIOSSLCertificate(bytes: Array(try certificate.serializeAsPEM().pemString.utf8), format: .pem))
        }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem))
        return tls
    }

    /// PEM bytes of the whole chain (what the client sends is its DER: about 3/4 of this).
    var pemByteCount: Int {
        (try? certificates.reduce(0) { $0 + (try $1.serializeAsPEM().pemString.utf8.count) }) ?? 0
    }
}
