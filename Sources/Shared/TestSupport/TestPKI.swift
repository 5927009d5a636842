import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// Certificates made by tests and the bench: CAs and the client identities they sign.
public struct TestCA: Sendable {
    public let certificate: Certificate
    public let key: P256.Signing.PrivateKey

    public init(name: String) throws {
        key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        let publicKey = Certificate.PublicKey(key.publicKey)
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
    }

    public var pem: String {
        get throws { try certificate.serializeAsPEM().pemString + "\n" }
    }

    /// A client certificate signed by this CA.
    public func issue(
        commonName: String, organizations: [String] = [], usages: [ExtendedKeyUsage.Usage] = [.clientAuth]
    ) throws -> TestIdentity {
        let leafKey = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            for organization in organizations { OrganizationName(organization) }
            CommonName(commonName)
        }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(leafKey.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage(usages)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return TestIdentity(certificatePEM: try leaf.serializeAsPEM().pemString, keyPEM: leafKey.pemRepresentation)
    }
}

/// A client certificate and key, as PEM.
public struct TestIdentity: Sendable {
    public let certificatePEM: String
    public let keyPEM: String

    /// Presents this identity in the client's TLS configuration.
    public func apply(to tls: inout TLSConfiguration) throws {
        tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
    }
}
