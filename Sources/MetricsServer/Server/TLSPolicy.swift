import Foundation
import NIOSSL

/// The serving TLS policy: `--tls-min-version` and `--tls-cipher-suites`, spelled as
/// kube-apiserver spells them (Go's `crypto/tls` constant names, which are the IANA names).
///
/// The default accepts TLS 1.2 and 1.3 with forward-secret AEAD suites only: no CBC with a
/// SHA-1 MAC (padding-oracle attacks such as Lucky13), no static-RSA key exchange (no
/// forward secrecy, ROBOT), no RC4 or 3DES. kube-apiserver's own clients (Go) always offer
/// the default suites. TLS 1.3 suites are always enabled, as in Go: they cannot be chosen.
public struct TLSPolicy: Sendable, Hashable {
    /// Oldest protocol version accepted.
    public var minimumVersion: TLSVersion
    /// TLS 1.2 suites offered, in order of preference.
    public var cipherSuites: [NIOTLSCipher]

    /// ECDHE key exchange with AES-GCM or ChaCha20-Poly1305, ECDSA before RSA, 128-bit first (Go's order).
    public static let defaultCipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// Creates a policy; the defaults are TLS 1.2 and ``defaultCipherSuites``.
    public init(minimumVersion: TLSVersion = .tlsv12, cipherSuites: [NIOTLSCipher] = TLSPolicy.defaultCipherSuites) {
        self.minimumVersion = minimumVersion
        self.cipherSuites = cipherSuites
    }

    /// Applies the policy to a server configuration.
    public func apply(to configuration: inout TLSConfiguration) {
        configuration.minimumTLSVersion = minimumVersion
        configuration.cipherSuiteValues = cipherSuites
    }

    /// Parses `--tls-min-version` and `--tls-cipher-suites` (comma-separated; empty: the default).
    /// - Throws: ``TLSPolicyError`` naming the value and what to use instead.
    public static func parse(minimumVersion: String, cipherSuites: String) throws(TLSPolicyError) -> TLSPolicy {
        let version = try parseVersion(minimumVersion)
        let names = cipherSuites.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return TLSPolicy(minimumVersion: version) }
        var suites: [NIOTLSCipher] = []
        for name in names {
            if TLSCipherNames.tls13.contains(name) { continue }
            if let suite = TLSCipherNames.secure[name] {
                if !suites.contains(suite) { suites.append(suite) }
            } else if let reason = TLSCipherNames.insecure[name] {
                throw TLSPolicyError(
                    "--tls-cipher-suites: \(name) is refused: \(reason). Use forward-secret AEAD suites, e.g. "
                        + "\(TLSCipherNames.recommended), or leave the flag unset for that default")
            } else {
                throw TLSPolicyError(
                    "--tls-cipher-suites: unknown cipher suite \(name). Supported (Go/IANA names): "
                        + "\(TLSCipherNames.supported.joined(separator: ", "))")
            }
        }
        if suites.isEmpty && version != .tlsv13 {
            throw TLSPolicyError(
                "--tls-cipher-suites lists only TLS 1.3 suites, which are always enabled; add a TLS 1.2 suite "
                    + "(e.g. \(TLSCipherNames.recommended)) or set --tls-min-version VersionTLS13")
        }
        return TLSPolicy(minimumVersion: version, cipherSuites: suites.isEmpty ? defaultCipherSuites : suites)
    }

    /// `VersionTLS12`/`VersionTLS13` (kube-apiserver's spelling) or `1.2`/`1.3`.
    static func parseVersion(_ text: String) throws(TLSPolicyError) -> TLSVersion {
        switch text.trimmingCharacters(in: .whitespaces) {
        case "", "VersionTLS12", "1.2": return .tlsv12
        case "VersionTLS13", "1.3": return .tlsv13
        case "VersionTLS10", "VersionTLS11", "1.0", "1.1":
            throw TLSPolicyError(
                "--tls-min-version \(text) is refused: TLS 1.0 and 1.1 are deprecated (RFC 8996); use VersionTLS12 or VersionTLS13")
        default:
            throw TLSPolicyError("--tls-min-version \(text) is not a TLS version; use VersionTLS12 or VersionTLS13")
        }
    }
}

/// A `--tls-min-version` or `--tls-cipher-suites` value that cannot be served; the message says what to use.
public struct TLSPolicyError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to use instead.
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Go's `crypto/tls` cipher suite names, sorted into what the adapter serves and what it refuses.
enum TLSCipherNames {
    /// TLS 1.2 suites served (Go names, with Go's legacy ChaCha20 aliases).
    static let secure: [String: NIOTLSCipher] = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// TLS 1.3 suites: accepted in the list and ignored (always enabled, as in Go).
    static let tls13: Set<String> = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]

    /// Suites Go knows that the adapter refuses, with the reason.
    static let insecure: [String: String] = {
        var reasons: [String: String] = [:]
        let cbcSHA1 = "CBC mode with a SHA-1 MAC is open to padding-oracle attacks (Lucky13)"
        for name in [
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        ] { reasons[name] = cbcSHA1 }
        let cbcSHA256 = "CBC mode with HMAC-SHA256 is open to padding-oracle attacks (Go marks it insecure)"
        for name in ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"] {
            reasons[name] = cbcSHA256
        }
        let staticRSA = "static RSA key exchange has no forward secrecy (and ROBOT-style oracles)"
        for name in [
            "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_RSA_WITH_RC4_128_SHA",
        ] { reasons[name] = staticRSA }
        let rc4 = "RC4 is broken (RFC 7465)"
        for name in ["TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA"] { reasons[name] = rc4 }
        reasons["TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"] = "3DES has 64-bit blocks (Sweet32)"
        return reasons
    }()

    /// The names accepted, for error messages.
    static var supported: [String] { (Array(secure.keys) + Array(tls13)).sorted() }

    /// An example value for error messages.
    static let recommended = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
}
