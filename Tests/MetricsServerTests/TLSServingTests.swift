import Foundation
import Hummingbird
import Testing

@testable import MetricsServer

@Suite("TLS serving")
struct TLSServingTests {
    static func makeRouter(ready: Flag) -> Router<BasicRequestContext> {
        let router = Router()
        router.addHealthRoutes(HealthChecks(readyz: [HealthCheck(name: "config-synced") { ready.value }]))
        return router
    }

    @Test func servesOverTLSVerifiedAgainstGeneratedCA() async throws {
        let material = try SelfSignedCertificateGenerator.generate(
            host: "sysdig-adapter", dnsNames: ["sysdig-adapter.sysdig-metrics.svc"], ipAddresses: ["10.1.2.3"]
        )
        let caPEM = try #require(material.caCertificatePEM)
        let other = try #require(try SelfSignedCertificateGenerator.generate(host: "other").caCertificatePEM)
        let ready = Flag()
        try await LiveServer.with(router: Self.makeRouter(ready: ready), certificates: ServingCertificateStore(certificate: material)) { port in
            let reply = try await LiveServer.get("https://localhost:\(port)/healthz", trusting: caPEM)
            #expect(reply.status == 200)
            #expect(reply.body == "ok")
            #expect(reply.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(reply.headers["x-content-type-options"] == "nosniff")

            await #expect {
                _ = try await LiveServer.get("https://localhost:\(port)/healthz", trusting: other)
            } throws: { error in
                LiveServer.isCertificateRejection(error)
            }

            #expect(try await LiveServer.get("https://localhost:\(port)/readyz", trusting: caPEM).status == 500)
            ready.set(true)
            #expect(try await LiveServer.get("https://localhost:\(port)/readyz", trusting: caPEM).status == 200)
            // The IP SAN is in the certificate too.
            #expect(try await LiveServer.get("https://127.0.0.1:\(port)/livez", trusting: caPEM).body == "ok")
        }
    }

    @Test func rotatedFilesAreServedAfterReload() async throws {
        let (directory, files) = try TLSServingTests.temporaryCertificateFiles("wire-tls")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try SelfSignedCertificateGenerator.generate(host: "a")
        let second = try SelfSignedCertificateGenerator.generate(host: "b")
        let caA = try #require(first.caCertificatePEM)
        let caB = try #require(second.caCertificatePEM)
        try Self.write(first, to: files)
        let store = try ServingCertificateStore(files: files)
        #expect(store.reloadIfChanged() == false)

        let ready = Flag()
        try await LiveServer.with(router: Self.makeRouter(ready: ready), certificates: store) { port in
            let url = "https://localhost:\(port)/livez"
            #expect(try await LiveServer.get(url, trusting: caA).status == 200)
            await #expect { _ = try await LiveServer.get(url, trusting: caB) } throws: { LiveServer.isCertificateRejection($0) }

            try Self.write(second, to: files)
            #expect(store.reloadIfChanged() == true)
            #expect(try await LiveServer.get(url, trusting: caB).status == 200)
            await #expect { _ = try await LiveServer.get(url, trusting: caA) } throws: { LiveServer.isCertificateRejection($0) }

            // A broken rewrite keeps serving B.
            try "not a certificate".write(toFile: files.certificateFile, atomically: true, encoding: .utf8)
            #expect(store.reloadIfChanged() == false)
            #expect(try await LiveServer.get(url, trusting: caB).status == 200)
        }
    }

    /// A fresh temporary directory (the caller removes it) and the tls.crt/tls.key paths in it.
    static func temporaryCertificateFiles(_ prefix: String) throws -> (URL, ServingCertificateStore.Files) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = ServingCertificateStore.Files(
            certificateFile: directory.appendingPathComponent("tls.crt").path,
            privateKeyFile: directory.appendingPathComponent("tls.key").path)
        return (directory, files)
    }

    static func write(_ material: ServingCertificate, to files: ServingCertificateStore.Files) throws {
        try material.certificateChainPEM.write(toFile: files.certificateFile, atomically: true, encoding: .utf8)
        try material.privateKeyPEM.write(toFile: files.privateKeyFile, atomically: true, encoding: .utf8)
    }

    @Test func loadErrorsNameTheFile() throws {
        let missing = ServingCertificateStore.Files(certificateFile: "/nonexistent/tls.crt", privateKeyFile: "/nonexistent/tls.key")
        #expect {
            _ = try ServingCertificateStore(files: missing)
        } throws: { error in
            (error as? ServingCertificateError)?.message.contains("/nonexistent/tls.crt") == true
        }
    }

    @Test func generatedMaterialParses() throws {
        let material = try SelfSignedCertificateGenerator.generate(host: "h", dnsNames: ["x.svc"], ipAddresses: ["fd00::1"])
        #expect(material.certificateChain.count == 1)
        #expect(material.certificateChainPEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(material.privateKeyPEM.contains("PRIVATE KEY"))
        #expect(throws: ServingCertificateError.self) {
            _ = try SelfSignedCertificateGenerator.generate(host: "h", ipAddresses: ["not-an-ip"])
        }
        #expect(try SelfSignedCertificateGenerator.ipBytes("127.0.0.1") == [127, 0, 0, 1])
        #expect(try SelfSignedCertificateGenerator.ipBytes("::1") == Array(repeating: 0, count: 15) + [1])
    }
}
