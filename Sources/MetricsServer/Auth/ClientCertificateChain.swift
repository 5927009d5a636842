import Crypto
import SwiftASN1
import X509

/// A client's presented certificate chain (leaf first) that is within ``ClientCertificateLimits``,
/// with the digest that names it in ``ClientCertificateVerificationCache``.
struct ClientCertificateChain: Sendable {
    /// The certificates, leaf first.
    let certificates: [Certificate]
    /// Their DER bytes in total.
    let byteCount: Int
    /// SHA-256 over each certificate's length and DER, in order.
    let digest: SHA256Digest

    /// Checks `certificates` against `limits` (the count before encoding anything).
    /// - Throws: ``ClientCertificateVerifier/Failure`` naming the limit exceeded, or for an empty chain.
    init(_ certificates: [Certificate], limits: ClientCertificateLimits) throws(ClientCertificateVerifier.Failure) {
        guard !certificates.isEmpty else { throw ClientCertificateVerifier.Failure(reason: "no client certificate") }
        if let violation = limits.violation(count: certificates.count, bytes: 0) {
            throw ClientCertificateVerifier.Failure(reason: violation)
        }
        var hash = SHA256()
        var byteCount = 0
        for certificate in certificates {
            var serializer = DER.Serializer()
            do {
                try serializer.serialize(certificate)
            } catch {
                throw ClientCertificateVerifier.Failure(reason: "a client certificate cannot be re-encoded: \(error)")
            }
            let bytes = serializer.serializedBytes
            byteCount += bytes.count
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: bytes.count).bigEndian) { hash.update(bufferPointer: $0) }
            hash.update(data: bytes)
        }
        if let violation = limits.violation(count: certificates.count, bytes: byteCount) {
            throw ClientCertificateVerifier.Failure(reason: violation)
        }
        self.certificates = certificates
        self.byteCount = byteCount
        self.digest = hash.finalize()
    }

    /// The client's own certificate.
    var leaf: Certificate { certificates[0] }

    /// The certificates after the leaf, offered as intermediates.
    var intermediates: ArraySlice<Certificate> { certificates.dropFirst() }
}
