import Foundation
import Crypto
import SwiftASN1
import X509
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generates serving material the way Kubernetes' generic API server does when no
/// `--tls-cert-file` is given: a throwaway CA and a leaf it signs (ECDSA P-256 here).
public enum SelfSignedCertificateGenerator {
    /// Names always placed in the leaf's SubjectAltName.
    public static let defaultDNSNames = ["localhost"]
    /// Addresses always placed in the leaf's SubjectAltName.
    public static let defaultIPAddresses = ["127.0.0.1", "::1"]

    /// Creates a CA (`CN=<host>-ca@<unix>`) and a serverAuth leaf (`CN=<host>@<unix>`).
    ///
    /// - Parameters:
    ///   - host: The name used in both common names (e.g. the Service DNS name).
    ///   - dnsNames: Extra DNS SANs, e.g. `sysdig-adapter.sysdig-metrics.svc`.
    ///   - ipAddresses: Extra IP SANs, e.g. the pod IP from `$POD_IP`.
    ///   - now: The start of validity (injectable for tests).
    ///   - validity: Lifetime of both certificates; one year by default.
    /// - Returns: Leaf chain, key and the CA PEM.
    public static func generate(
        host: String, dnsNames: [String] = [], ipAddresses: [String] = [],
        now: Date = Date(), validity: TimeInterval = 365 * 24 * 3600
    ) throws -> ServingCertificate {
        do {
            let stamp = Int64(now.timeIntervalSince1970.rounded(.down))
            let notBefore = now.addingTimeInterval(-60)
            let notAfter = now.addingTimeInterval(validity)

            let caKey = P256.Signing.PrivateKey()
            let caName = try DistinguishedName { CommonName("\(host)-ca@\(stamp)") }
            let caPublicKey = Certificate.PublicKey(caKey.publicKey)
            let ca = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caPublicKey,
                notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: caName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true))
                    SubjectKeyIdentifier(hash: caPublicKey)
                },
                issuerPrivateKey: Certificate.PrivateKey(caKey)
            )

            let leafKey = P256.Signing.PrivateKey()
            let leafPublicKey = Certificate.PublicKey(leafKey.publicKey)
            let sans = try subjectAltNames(dnsNames: dnsNames, ipAddresses: ipAddresses)
            let leaf = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: leafPublicKey,
                notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName,
                subject: try DistinguishedName { CommonName("\(host)@\(stamp)") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(sans)
                    AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: caPublicKey).keyIdentifier)
                },
                issuerPrivateKey: Certificate.PrivateKey(caKey)
            )
            return try ServingCertificate(
                certificateChainPEM: try leaf.serializeAsPEM().pemString + "\n",
                privateKeyPEM: leafKey.pemRepresentation + "\n",
                caCertificatePEM: try ca.serializeAsPEM().pemString + "\n"
            )
        } catch let error as ServingCertificateError {
            throw error
        } catch {
            throw ServingCertificateError(.generationFailed, "self-signed certificate generation failed: \(error)")
        }
    }

    /// Defaults plus caller names, de-duplicated, order kept.
    static func subjectAltNames(dnsNames: [String], ipAddresses: [String]) throws -> [GeneralName] {
        var seen = Set<String>()
        var names: [GeneralName] = []
        for name in defaultDNSNames + dnsNames where !name.isEmpty && seen.insert("dns:" + name).inserted {
            names.append(.dnsName(name))
        }
        for address in defaultIPAddresses + ipAddresses where !address.isEmpty && seen.insert("ip:" + address).inserted {
            names.append(.ipAddress(ASN1OctetString(contentBytes: try ipBytes(address)[...])))
        }
        return names
    }

    /// The network-order bytes of an IPv4 or IPv6 literal.
    static func ipBytes(_ address: String) throws -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        throw ServingCertificateError(.invalidIPAddress, "not an IP address: \(address)")
    }
}
