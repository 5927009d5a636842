import Foundation
import Shared
import Synchronization
import Testing
import TestSupport

/// A throwaway self-signed EC certificate and key (CN kube-test-client), test fixture only.
enum TestPEM {
    static let certificate = """
-----BEGIN CERTIFICATE-----
MIIBjjCCATOgAwIBAgIUZZNm6vQB681KAQPmw/7zD6RYs08wCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQa3ViZS10ZXN0LWNsaWVudDAgFw0yNjExMjkwMTE4MjVaGA8y
MTI2MTEwNTAxMTgyNVowGzEZMBcGA1UEAwwQa3ViZS10ZXN0LWNsaWVudDBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABK7//8o/D6J9TopBoiMg7EE8KPOIuP3r5QUA
NdVOUw3iL+t+QhChFBCCyh4Z/SS8TeezcgJtxmFmTiKz73UcL0KjUzBRMB0GA1Ud
DgQWBBREFEmj8N8HD2tmiCdhY6WO03s2HTAfBgNVHSMEGDAWgBREFEmj8N8HD2tm
iCdhY6WO03s2HTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCE
82Y24PVu9G4/RXHfuaRJ8l9tt3q+XZ7I/G3kVyM4qQIhAKHkHjeU4HJajO13x+BM
U5PCKVBGae1X5H+UtJ723sud
-----END CERTIFICATE-----
"""
    static let key = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgInI8RYggUBCeO/Ar
yt5yyxDyD7COxcBRGLwLIIzN8OehRANCAASu///KPw+ifU6KQaIjIOxBPCjziLj9
6+UFADXVTlMN4i/rfkIQoRQQgsoeGf0kvE3ns3ICbcZhZk4is+91HC9C
-----END PRIVATE KEY-----
"""
}

@Suite struct KubernetesConfigurationTests {
    func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    func kubeconfig(cluster: String, user: String, current: String = "dev", extraContexts: String = "") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: \(current)
        clusters:
          - name: dev-cluster
            cluster:
        \(cluster)
        users:
          - name: dev-user
            user:
        \(user)
        contexts:
          - name: dev
            context: {cluster: dev-cluster, user: dev-user, namespace: shop}
        \(extraContexts)
        """
    }

    @Test func kubeconfigWithTokenCAAndClientCertificateData() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ca = Data(TestPEM.certificate.utf8).base64EncodedString()
        let key = Data(TestPEM.key.utf8).base64EncodedString()
        let text = kubeconfig(
            cluster: "      server: https://10.0.0.1:6443/\n      certificate-authority-data: \(ca)",
            user: "      token: abc.def\n      client-certificate-data: \(ca)\n      client-key-data: \(key)")
        let path = directory.appendingPathComponent("config")
        try write(text, to: path)
        let configuration = try KubernetesConfiguration.kubeconfig(path: path.path)
        #expect(configuration.server == "https://10.0.0.1:6443")
        #expect(configuration.namespace == "shop")
        #expect(configuration.certificateAuthorityPEM == Data(TestPEM.certificate.utf8))
        #expect(configuration.clientCertificatePEM == Data(TestPEM.certificate.utf8))
        #expect(configuration.clientKeyPEM == Data(TestPEM.key.utf8))
        #expect(try configuration.token?.token() == "abc.def")
        #expect(!configuration.insecureSkipTLSVerify)
        #expect(configuration.qps == 5 && configuration.burst == 10)
        // The PEM material is usable for TLS.
        let client = try KubernetesClient(configuration: configuration)
        try await client.shutdown()
    }

    @Test func kubeconfigFilesResolveRelativeToTheConfigAndContextsSwitch() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(TestPEM.certificate, to: directory.appendingPathComponent("ca.pem"))
        try write("file-token\n", to: directory.appendingPathComponent("token"))
        let text = kubeconfig(
            cluster: "      server: https://kube.example:443\n      certificate-authority: ca.pem\n      insecure-skip-tls-verify: true",
            user: "      tokenFile: token",
            extraContexts: "  - name: other\n    context: {cluster: dev-cluster}")
        let path = directory.appendingPathComponent("config")
        try write(text, to: path)
        let configuration = try KubernetesConfiguration.kubeconfig(path: path.path)
        #expect(configuration.certificateAuthorityPEM == Data(TestPEM.certificate.utf8))
        #expect(configuration.insecureSkipTLSVerify)
        #expect(try configuration.token?.token() == "file-token")
        let other = try KubernetesConfiguration.kubeconfig(path: path.path, context: "other")
        #expect(other.namespace == "default")
        #expect(other.token == nil)
        let error = #expect(throws: KubeAPIError.self) {
            _ = try KubernetesConfiguration.kubeconfig(path: path.path, context: "missing")
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("\"missing\"") == true)
    }

    @Test(arguments: [
        ("      server: https://x\n      certificate-authority-data: '%%%'", "      token: t", "not valid base64"),
        ("      certificate-authority-data: Zm9v", "      token: t", "has no server"),
        ("      server: https://x", "      exec: {command: aws}", "exec"),
        ("      server: https://x", "      client-certificate: /nonexistent/cert", "cannot read client-certificate"),
    ])
    func badKubeconfigsAreConfigurationErrors(cluster: String, user: String, expected: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config")
        try write(kubeconfig(cluster: cluster, user: user), to: path)
        let error = #expect(throws: KubeAPIError.self) { _ = try KubernetesConfiguration.kubeconfig(path: path.path) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test func invalidPEMIsAConfigurationErrorWithoutTheMaterial() {
        let configuration = KubernetesConfiguration(
            server: "https://x", certificateAuthorityPEM: Data("not-a-cert-SECRET".utf8))
        let error = #expect(throws: KubeAPIError.self) { _ = try KubernetesClient(configuration: configuration) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("SECRET") == false)
    }

    @Test func loadPrefersFlagThenKUBECONFIGThenInClusterThenHome() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let flag = directory.appendingPathComponent("flag")
        try write(kubeconfig(cluster: "      server: https://flag", user: "      token: t"), to: flag)
        let env = directory.appendingPathComponent("env")
        try write(kubeconfig(cluster: "      server: https://env", user: "      token: t"), to: env)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".kube"), withIntermediateDirectories: true)
        try write(
            kubeconfig(cluster: "      server: https://home", user: "      token: t"),
            to: directory.appendingPathComponent(".kube/config"))
        let root = try makeServiceAccount(in: directory, namespace: "ops")

        let home = directory.path
        let environment = ["KUBECONFIG": "/nonexistent:\(env.path)", "KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        #expect(try KubernetesConfiguration.load(kubeconfigPath: flag.path, environment: environment, homeDirectory: home, root: root).server == "https://flag")
        #expect(try KubernetesConfiguration.load(environment: environment, homeDirectory: home, root: root).server == "https://env")
        var inCluster = environment
        inCluster["KUBECONFIG"] = nil
        #expect(try KubernetesConfiguration.load(environment: inCluster, homeDirectory: home, root: root).server == "https://10.0.0.1:443")
        #expect(try KubernetesConfiguration.load(environment: [:], homeDirectory: home, root: root).server == "https://home")
        let none = #expect(throws: KubeAPIError.self) {
            _ = try KubernetesConfiguration.load(environment: [:], homeDirectory: "/nonexistent", root: root)
        }
        #expect(none?.code == .configuration)
    }

    func makeServiceAccount(in directory: URL, namespace: String?) throws -> String {
        let root = directory.appendingPathComponent("root")
        let account = root.appendingPathComponent(KubernetesConfiguration.serviceAccountDirectory)
        try FileManager.default.createDirectory(at: account, withIntermediateDirectories: true)
        try write(TestPEM.certificate, to: account.appendingPathComponent("ca.crt"))
        try write("sa-token-1", to: account.appendingPathComponent("token"))
        if let namespace { try write(namespace + "\n", to: account.appendingPathComponent("namespace")) }
        return root.path
    }

    @Test func inClusterReadsTheServiceAccountAndBracketsIPv6() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try makeServiceAccount(in: directory, namespace: "ops")
        let environment = ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        let configuration = try KubernetesConfiguration.inCluster(environment: environment, root: root)
        #expect(configuration.server == "https://[fd00::1]:443")
        #expect(configuration.namespace == "ops")
        #expect(configuration.certificateAuthorityPEM == Data(TestPEM.certificate.utf8))
        #expect(try configuration.token?.token() == "sa-token-1")
        var withPodNamespace = environment
        withPodNamespace["POD_NAMESPACE"] = "from-env"
        #expect(try KubernetesConfiguration.inCluster(environment: withPodNamespace, root: root).namespace == "from-env")
        let outside = #expect(throws: KubeAPIError.self) { _ = try KubernetesConfiguration.inCluster(environment: [:], root: root) }
        #expect(outside?.code == .configuration)
        #expect(KubernetesConfiguration.joinHostPort("10.0.0.1", "6443") == "10.0.0.1:6443")
    }

    @Test func inClusterNamespaceDefaults() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try makeServiceAccount(in: directory, namespace: nil)
        let environment = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        #expect(try KubernetesConfiguration.inCluster(environment: environment, root: root).namespace == "default")
    }

    @Test func tokenFileIsRereadOnChangeAndAtLeastEveryMinute() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("token")
        try write("first", to: path)
        let offset = Mutex(Duration.zero)
        let base = ContinuousClock.now
        let provider = FileKubeToken(path: path.path, now: { base.advanced(by: offset.withLock { $0 }) })
        #expect(try provider.token() == "first")
        // A rotation that changes the file's size is seen at once.
        try write("second-token", to: path)
        let fixed = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: fixed], ofItemAtPath: path.path)
        #expect(try provider.token() == "second-token")
        // One in place that keeps inode, size and modification time is seen once the cached copy is a minute old.
        let handle = try FileHandle(forWritingTo: path)
        try handle.write(contentsOf: Data("third-token!".utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: fixed], ofItemAtPath: path.path)
        offset.withLock { $0 = .seconds(30) }
        #expect(try provider.token() == "second-token")
        offset.withLock { $0 = .seconds(61) }
        #expect(try provider.token() == "third-token!")
        try FileManager.default.removeItem(at: path)
        let error = #expect(throws: KubeAPIError.self) { _ = try provider.token() }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("third-token") == false)
    }

    @Test func tokenRotationReachesTheServer() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("token")
        try write("one", to: path)
        let server = KubeAPITestServer()
        try await server.withRunning { port in
            var configuration = server.configuration(port: port)
            configuration.token = FileKubeToken(path: path.path)
            let client = try KubernetesClient(configuration: configuration)
            _ = try await client.list(.leases, namespace: "x", options: ListOptions())
            try write("rotated-two", to: path)
            _ = try await client.list(.leases, namespace: "x", options: ListOptions())
            try await client.shutdown()
            #expect(server.requests.map(\.bearerToken) == ["one", "rotated-two"])
        }
    }
}
