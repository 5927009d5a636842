import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A client's certificate chain (leaf first) and the leaf's key, for presenting in a TLS
/// handshake; unlike ``TestIdentity`` it can carry intermediates.
public struct TestChain: Sendable {
    public let certificates: [Certificate]
    public let key: P256.Signing.PrivateKey

    /// DER bytes of the whole chain.
    public var derByteCount: Int {
        get throws {
            try certificates.reduce(0) { total, certificate in
                var serializer = DER.Serializer()
                try serializer.serialize(certificate)
                return total + serializer.serializedBytes.count
            }
        }
    }

    /// Presents the whole chain (leaf first) in the client's TLS configuration.
    public func apply(to tls: inout TLSConfiguration) throws {
        tls.certificateChain = try certificates.map { certificate in
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return .certificate(try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der))
        }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem))
    }
}

/// Chains for the client-certificate work-limit tests and the attack benchmark (issue 13, section 1a).
public enum ClientCertificateTestChains {
    /// The crafted chain of issue 13: `count` CA certificates sharing one subject and one key,
    /// differing only in their SAN, so each one's signature verifies under every other one.
    /// swift-certificates' loop detection (subject, key and SAN) never sees a repeat, and its
    /// path building explores every ordering of them: work grows factorially with `count`.
    public static func crafted(count: Int) throws -> TestChain {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName { CommonName("loop") }
        let certificates = try (0..<count).map { index in
            try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                    SubjectAlternativeNames([.dnsName("loop-\(index).example")])
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
        }
        return TestChain(certificates: certificates, key: key)
    }

    /// A legitimate front-proxy style chain: `ca` signs an intermediate CA, which signs a
    /// client leaf named `commonName`; presented as leaf then intermediate.
    public static func throughIntermediate(_ ca: TestCA, commonName: String) throws -> TestChain {
        let intermediateKey = P256.Signing.PrivateKey()
        let intermediatePublicKey = Certificate.PublicKey(intermediateKey.publicKey)
        let intermediateName = try DistinguishedName { CommonName("\(commonName)-intermediate-ca") }
        let intermediate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: intermediatePublicKey,
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
            issuer: ca.certificate.subject, subject: intermediateName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                SubjectKeyIdentifier(hash: intermediatePublicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(ca.key))
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(leafKey.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
            issuer: intermediateName, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: Certificate.PrivateKey(intermediateKey))
        return TestChain(certificates: [leaf, intermediate], key: leafKey)
    }

    /// A leaf signed directly by `ca`, as a chain of one.
    public static func direct(_ ca: TestCA, commonName: String) throws -> TestChain {
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(leafKey.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
            issuer: ca.certificate.subject, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: Certificate.PrivateKey(ca.key))
        return TestChain(certificates: [leaf], key: leafKey)
    }
}
