/// Bounds on the work a client's certificate chain can make the server do (issue 13, 1a).
///
/// Clients present chains before they are authenticated, and swift-certificates' path
/// building has no work limit of its own: a few kB of certificates that share a subject
/// and key and issue one another cost seconds to minutes of CPU per verification (the time
/// grows about eightfold with every certificate added). Go's crypto/x509 stops after
/// `maxChainSignatureChecks = 100` signature checks for the same reason; these limits do
/// the same and more, before any signature is checked:
///
/// - ``maxCertificates`` and ``maxChainBytes`` refuse an oversized chain outright;
/// - ``maxSignatureChecks`` is the path-building work budget (Go's number);
/// - ``deadline`` bounds the wall-clock time of one verification, run off the cooperative pool.
///
/// A refused chain authenticates nobody: the certificate authenticators report a failure
/// (401 unless a bearer token succeeds), as kube-apiserver does for a chain it cannot verify.
public struct ClientCertificateLimits: Sendable, Hashable {
    /// Certificates a presented chain may hold, leaf included.
    public var maxCertificates: Int
    /// DER bytes a presented chain may hold in total.
    public var maxChainBytes: Int
    /// Issuer candidates (each at most one signature check) path building may try per verification.
    public var maxSignatureChecks: Int
    /// How long one verification may run; past it the chain counts as unverified.
    public var deadline: Duration

    /// - Parameters:
    ///   - maxCertificates: At least 1.
    ///   - maxChainBytes: At least 1.
    ///   - maxSignatureChecks: At least 1.
    ///   - deadline: Wall-clock bound of one verification.
    public init(maxCertificates: Int, maxChainBytes: Int, maxSignatureChecks: Int, deadline: Duration) {
        self.maxCertificates = max(1, maxCertificates)
        self.maxChainBytes = max(1, maxChainBytes)
        self.maxSignatureChecks = max(1, maxSignatureChecks)
        self.deadline = deadline
    }

    /// The limits the server uses.
    ///
    /// - Five certificates: a leaf and up to four intermediates, more than any front-proxy or
    ///   client chain Kubernetes issues (kube-apiserver's front-proxy client certificate is
    ///   signed directly by the front-proxy CA). With five certificates an unbounded search
    ///   costs tens of milliseconds at worst instead of minutes.
    /// - 16 KiB: five 4096-bit RSA certificates (about 1.5 kB each) fit with room to spare for
    ///   extensions; the crafted chains of issue 13 (11 certificates in 3.7 kB) are refused by count.
    /// - 100 signature checks: Go's `maxChainSignatureChecks`, the budget kube-apiserver's own
    ///   verification runs under.
    /// - One second: a legitimate chain verifies in milliseconds.
    public static let standard = ClientCertificateLimits(
        maxCertificates: 5, maxChainBytes: 16 * 1024, maxSignatureChecks: 100, deadline: .seconds(1))

    /// Why a chain of `count` certificates and `bytes` DER bytes is refused, or nil when it is
    /// within the limits. The count is not repeated: the TLS layer keeps only the first
    /// `maxCertificates + 1` certificates of a longer chain (and logs the real count).
    public func violation(count: Int, bytes: Int) -> String? {
        if count > maxCertificates {
            let allowed = maxCertificates == 1 ? "certificate" : "certificates"
            let present = maxCertificates == 1
                ? "present only the leaf" : "present the leaf and at most \(maxCertificates - 1) intermediates"
            return "the client certificate chain has more than the \(maxCertificates) \(allowed) allowed; \(present)"
        }
        if bytes > maxChainBytes {
            return "the client certificate chain is \(bytes) bytes, more than the \(maxChainBytes) allowed; "
                + "present only the leaf and the intermediates that lead to the CA"
        }
        return nil
    }
}
