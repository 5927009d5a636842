import Foundation
import SwiftASN1
import X509

/// Verifies a client's certificate chain against a CA bundle, for client authentication:
/// the leaf must chain to one of the roots (intermediates taken from the peer's chain), be
/// within its validity period, and every certificate must allow `clientAuth`
/// (docs/aggregation-layer.md, "Authentication").
///
/// The chain is presented before the client is authenticated, so the work is bounded
/// (``ClientCertificateLimits``, issue 13): oversized chains are refused before any signature
/// is checked, path building draws on a budget of signature checks, and verification runs on
/// ``ClientCertificateVerificationExecutor`` (off the cooperative pool) under a deadline.
public enum ClientCertificateVerifier {
    /// Why a chain was refused.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// A short reason (never key material).
        public var reason: String
        public var description: String { reason }
    }

    /// Verifies `chain` (leaf first) against `roots`, at the current time, within `limits`.
    /// - Returns: the verified leaf.
    public static func verify(
        chain: [Certificate], roots: [Certificate], limits: ClientCertificateLimits = .standard
    ) async throws(Failure) -> Certificate {
        let presented = try ClientCertificateChain(chain, limits: limits)
        switch await evaluate(presented, roots: roots, limits: limits).outcome {
        case .success(let verified): return verified.leaf
        case .failure(let failure): throw failure
        }
    }

    /// A chain that verified.
    struct Verified: Sendable, Hashable {
        /// The client's certificate.
        var leaf: Certificate
        /// The earliest end of validity in the verified chain, root included.
        var validUntil: Date
    }

    /// The outcome of one verification and what it cost.
    struct Report: Sendable {
        var outcome: Result<Verified, Failure>
        /// Issuer candidates path building was handed: an upper bound on its signature checks.
        var signatureChecks: Int
        /// True when the deadline passed first (the outcome is then a failure).
        var timedOut: Bool
    }

    /// Verifies a chain already within `limits` against `roots`, under the signature-check
    /// budget and deadline of `limits`, on ``ClientCertificateVerificationExecutor``.
    static func evaluate(_ chain: ClientCertificateChain, roots: [Certificate], limits: ClientCertificateLimits) async -> Report {
        guard !roots.isEmpty else {
            return Report(outcome: .failure(Failure(reason: "no CA configured")), signatureChecks: 0, timedOut: false)
        }
        let budget = ClientCertificateWorkBudget(limit: limits.maxSignatureChecks)
        let result: CertificateValidationResult? = await ClientCertificateVerificationExecutor.shared.run(
            deadline: limits.deadline, timedOut: nil
        ) {
            var verifier = Verifier(rootCertificates: CertificateStore(custom: ClientCertificateBudgetedStore(roots, budget: budget))) {
                RFC5280Policy()
                ClientAuthUsagePolicy()
            }
            return await verifier.validate(
                leaf: chain.leaf,
                intermediates: CertificateStore(custom: ClientCertificateBudgetedStore(chain.intermediates, budget: budget)))
        }
        let outcome: Result<Verified, Failure>
        switch result {
        case .validCertificate(let validated):
            let validUntil = validated.map(\.notValidAfter).min() ?? chain.leaf.notValidAfter
            outcome = .success(Verified(leaf: chain.leaf, validUntil: validUntil))
        case .couldNotValidate(let failures):
            outcome = .failure(Self.failure(failures, budget: budget, limits: limits))
        case nil:
            outcome = .failure(Failure(reason: "x509: verification did not finish within \(limits.deadline); "
                + "present only the leaf and the intermediates that lead to the CA"))
        }
        return Report(outcome: outcome, signatureChecks: budget.spent, timedOut: result == nil)
    }

    /// Why path building found no acceptable chain, the spent budget first.
    private static func failure(
        _ failures: [CertificateValidationResult.PolicyFailure], budget: ClientCertificateWorkBudget,
        limits: ClientCertificateLimits
    ) -> Failure {
        if budget.cancelled {
            return Failure(reason: "x509: verification did not finish within \(limits.deadline); "
                + "present only the leaf and the intermediates that lead to the CA")
        }
        if budget.exhausted {
            return Failure(reason: "x509: the chain needs more than \(limits.maxSignatureChecks) signature checks to verify "
                + "(certificates in it issue one another); present only the leaf and the intermediates that lead to the CA")
        }
        let reason = failures.first.map { "\($0.policyFailureReason)" } ?? "certificate signed by unknown authority"
        return Failure(reason: "x509: " + reason)
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
