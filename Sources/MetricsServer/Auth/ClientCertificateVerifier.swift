import Foundation
import SwiftASN1
import X509

/// Verifies a client's certificate chain against a CA bundle, for client authentication:
/// the leaf must chain to one of the roots (intermediates taken from the peer's chain), be
/// within its validity period, and every certificate must allow `clientAuth` (PROTOCOL.md B3).
public enum ClientCertificateVerifier {
    /// Why a chain was refused.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// A short reason (never key material).
        public var reason: String
        public var description: String { reason }
    }

    /// Verifies `chain` (leaf first) against `roots`, at the current time.
    /// - Returns: the verified leaf.
    public static func verify(chain: [Certificate], roots: [Certificate]) async throws(Failure) -> Certificate {
        guard let leaf = chain.first else { throw Failure(reason: "no client certificate") }
        guard !roots.isEmpty else { throw Failure(reason: "no CA configured") }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy()
            ClientAuthUsagePolicy()
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst()))
        switch result {
        case .validCertificate:
            return leaf
        case .couldNotValidate(let failures):
            let reason = failures.first.map { "\($0.policyFailureReason)" } ?? "certificate signed by unknown authority"
            throw Failure(reason: "x509: " + reason)
        }
    }

    /// The leaf's common name (the first CN attribute), or "".
    public static func commonName(_ certificate: Certificate) -> String {
        attributes(certificate, .RDNAttributeType.commonName).first ?? ""
    }

    /// The leaf's organizations, in order.
    public static func organizations(_ certificate: Certificate) -> [String] {
        attributes(certificate, .RDNAttributeType.organizationName)
    }

    private static func attributes(_ certificate: Certificate, _ type: ASN1ObjectIdentifier) -> [String] {
        var values: [String] = []
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == type {
                if let value = String(attribute.value) { values.append(value) }
            }
        }
        return values
    }
}

/// Every non-root certificate of the chain either has no ExtendedKeyUsage (any use, as Go
/// treats it) or lists `clientAuth` or `anyExtendedKeyUsage`.
struct ClientAuthUsagePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        for certificate in chain.dropLast() {
            let usages: ExtendedKeyUsage?
            do {
                usages = try certificate.extensions.extendedKeyUsage
            } catch {
                return .failsToMeetPolicy(reason: "malformed extended key usage")
            }
            guard let usages else { continue }
            if !usages.contains(.clientAuth) && !usages.contains(.any) {
                return .failsToMeetPolicy(reason: "certificate specifies an incompatible key usage")
            }
        }
        return .meetsPolicy
    }
}
