import NIOSSL
import Testing

@testable import MetricsServer

/// `--tls-min-version` and `--tls-cipher-suites`: parsed from kube-apiserver's (Go's) names,
/// insecure suites refused with a reason, and enforced at the handshake of the real server.
@Suite("TLS policy", .timeLimit(.minutes(2)))
struct TLSPolicyTests {
    static let cbcSHA1: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, .TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        .TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, .TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    ]

    @Test func tls13MinimumRefusesATLS12Client() async throws {
        let policy = try TLSPolicy.parse(minimumVersion: "VersionTLS13", cipherSuites: "")
        #expect(try TLSPolicy.parse(minimumVersion: "1.3", cipherSuites: "") == policy)
        try await OverloadServer.with(.init(tls: policy)) { server in
            await #expect(throws: (any Error).self) {
                _ = try await RawConnection.tls(port: server.port) { $0.maximumTLSVersion = .tlsv12 }
            }
            let (channel, _) = try await RawConnection.tls(port: server.port)
            try await channel.close()
        }
    }

    @Test func defaultSuitesRefuseCBCSHA1AndServeAEAD() async throws {
        #expect(TLSPolicy().cipherSuites.allSatisfy { !Self.cbcSHA1.contains($0) })
        #expect(!TLSPolicy().cipherSuites.contains(.TLS_RSA_WITH_AES_128_GCM_SHA256))
        try await OverloadServer.with(.init()) { server in
            await #expect(throws: (any Error).self) {
                _ = try await RawConnection.tls(port: server.port) {
                    $0.maximumTLSVersion = .tlsv12
                    $0.cipherSuiteValues = Self.cbcSHA1
                }
            }
            await #expect(throws: (any Error).self) {
                _ = try await RawConnection.tls(port: server.port) {
                    $0.maximumTLSVersion = .tlsv12
                    $0.cipherSuiteValues = [.TLS_RSA_WITH_AES_128_GCM_SHA256, .TLS_RSA_WITH_AES_128_CBC_SHA]
                }
            }
            let (channel, _) = try await RawConnection.tls(port: server.port) {
                $0.maximumTLSVersion = .tlsv12
                $0.cipherSuiteValues = [.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
            }
            try await channel.close()
        }
        // Control: the same client gets through a server that does offer CBC-SHA1.
        try await OverloadServer.with(.init(tls: TLSPolicy(cipherSuites: Self.cbcSHA1))) { server in
            let (channel, _) = try await RawConnection.tls(port: server.port) {
                $0.maximumTLSVersion = .tlsv12
                $0.cipherSuiteValues = Self.cbcSHA1
            }
            try await channel.close()
        }
    }

    @Test func goNamesParseAndInsecureOnesAreRefusedWithTheReason() throws {
        let policy = try TLSPolicy.parse(
            minimumVersion: "VersionTLS12",
            cipherSuites: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_AES_128_GCM_SHA256")
        #expect(policy.cipherSuites == [.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256])
        #expect(policy.minimumVersion == .tlsv12)

        let refusals: [(String, String)] = [
            ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "SHA-1"),
            ("TLS_RSA_WITH_AES_128_GCM_SHA256", "forward secrecy"),
            ("TLS_ECDHE_RSA_WITH_RC4_128_SHA", "RC4"),
            ("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "Sweet32"),
            ("TLS_NOT_A_SUITE", "unknown cipher suite"),
        ]
        for (name, reason) in refusals {
            let error = #expect(throws: TLSPolicyError.self) {
                try TLSPolicy.parse(minimumVersion: "VersionTLS12", cipherSuites: name)
            }
            #expect(error?.message.contains(name) == true && error?.message.contains(reason) == true, "\(error?.message ?? "")")
        }
        let tls13Only = #expect(throws: TLSPolicyError.self) {
            try TLSPolicy.parse(minimumVersion: "VersionTLS12", cipherSuites: "TLS_AES_128_GCM_SHA256")
        }
        #expect(tls13Only?.message.contains("--tls-min-version VersionTLS13") == true)
        #expect(try TLSPolicy.parse(minimumVersion: "VersionTLS13", cipherSuites: "TLS_AES_128_GCM_SHA256").minimumVersion == .tlsv13)
        for version in ["VersionTLS10", "VersionTLS11", "TLS1.2"] {
            #expect(throws: TLSPolicyError.self) { try TLSPolicy.parse(minimumVersion: version, cipherSuites: "") }
        }
    }
}
