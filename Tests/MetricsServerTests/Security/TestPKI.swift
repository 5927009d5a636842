import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// Certificates made in the test: CAs and the client identities they sign.
struct TestCA: Sendable {
    let certificate: Certificate
    let key: P256.Signing.PrivateKey

    init(name: String) throws {
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

    var pem: String {
        get throws { try certificate.serializeAsPEM().pemString + "\n" }
    }

    /// A client certificate signed by this CA.
    func issue(
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
struct TestIdentity: Sendable {
    let certificatePEM: String
    let keyPEM: String

    /// Presents this identity in the client's TLS configuration.
    func apply(to tls: inout TLSConfiguration) throws {
        tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
    }
}
