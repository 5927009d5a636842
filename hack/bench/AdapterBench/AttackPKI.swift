import Foundation
import NIOSSL
import Shared
import TestSupport

/// The certificates of the attack benchmark: the front-proxy (request-header) CA and the
/// client CA kube-apiserver publishes in `kube-system/extension-apiserver-authentication`,
/// and the aggregator's front-proxy client certificate. Built with the tests' PKI helpers
/// (`TestCA`, `ClientCertificateTestChains`, in TestSupport), which also make the crafted
/// chains of issue 13.
struct AttackPKI: Sendable {
    /// The common name kube-apiserver's front-proxy client certificate carries (kubeadm's default).
    static let frontProxyName = "front-proxy-client"

    let requestHeaderCA: TestCA
    let clientCA: TestCA
    /// What the aggregator presents: signed by the request-header CA, CN `front-proxy-client`.
    let frontProxy: TestChain

    init() throws {
        requestHeaderCA = try TestCA(name: "front-proxy-ca")
        clientCA = try TestCA(name: "kubernetes-client-ca")
        frontProxy = try ClientCertificateTestChains.direct(requestHeaderCA, commonName: Self.frontProxyName)
    }

    /// `kube-system/extension-apiserver-authentication` as kube-apiserver writes it (kubeadm's values).
    func configMap() throws -> JSONValue {
        let data: [String: String] = [
            "requestheader-client-ca-file": try requestHeaderCA.pem,
            "requestheader-allowed-names": #"["\#(Self.frontProxyName)"]"#,
            "requestheader-username-headers": #"["X-Remote-User"]"#,
            "requestheader-group-headers": #"["X-Remote-Group"]"#,
            "requestheader-extra-headers-prefix": #"["X-Remote-Extra-"]"#,
            "client-ca-file": try clientCA.pem,
        ]
        return .object([
            "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
            "metadata": .object(["name": .string("extension-apiserver-authentication"), "namespace": .string("kube-system")]),
            "data": .object(data.mapValues { .string($0) }),
        ])
    }

    /// The crafted chain of issue 13 (see `ClientCertificateTestChains.crafted`); every call
    /// makes a new key, so no two chains share a verification verdict.
    static func craftedChain(count: Int) throws -> TestChain {
        try ClientCertificateTestChains.crafted(count: max(1, count))
    }
}

extension TestChain {
    /// A client configuration presenting this chain, not verifying the server (self-signed).
    func clientTLS() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        try apply(to: &tls)
        return tls
    }
}
