import Foundation

/// Where and how to reach the Kubernetes API (docs/kubernetes-api.md, "Client
/// configuration"): server URL, TLS material, credentials, default namespace and
/// client-side rate limits.
///
/// Build one with `load(kubeconfigPath:environment:homeDirectory:root:)`, which picks the
/// source the way controller-runtime does, or directly with `inCluster(...)` /
/// `kubeconfig(path:context:)`. PEM material is held in memory; nothing here logs it.
public struct KubernetesConfiguration: Sendable {
    /// `https://host:port` (or `http://` against a test server), without a trailing `/`.
    public var server: String
    /// PEM CA bundle to trust instead of the system roots.
    public var certificateAuthorityPEM: Data?
    /// PEM client certificate chain and key for mutual TLS.
    public var clientCertificatePEM: Data?
    public var clientKeyPEM: Data?
    /// Skip server certificate verification (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool
    /// The bearer token source, if the credentials use one.
    public var token: (any KubeTokenProviding)?
    /// The namespace of the context or the pod; `default` when neither says.
    public var namespace: String
    /// Client-side rate limit: sustained requests per second (client-go default 5).
    public var qps: Double
    /// Client-side rate limit: burst size (client-go default 10).
    public var burst: Int
    /// How often a request that got 429 or 5xx with `Retry-After` is retried (client-go: 10).
    public var maxRetries: Int
    /// Where this configuration came from, for logs (`in-cluster`, `kubeconfig /path (context x)`).
    public var source: String

    public init(
        server: String, certificateAuthorityPEM: Data? = nil, clientCertificatePEM: Data? = nil,
        clientKeyPEM: Data? = nil, insecureSkipTLSVerify: Bool = false, token: (any KubeTokenProviding)? = nil,
        namespace: String = "default", qps: Double = 5, burst: Int = 10, maxRetries: Int = 10, source: String = "explicit"
    ) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.token = token
        self.namespace = namespace
        self.qps = qps
        self.burst = burst
        self.maxRetries = maxRetries
        self.source = source
    }

    /// The service account directory inside a pod.
    public static let serviceAccountDirectory = "var/run/secrets/kubernetes.io/serviceaccount"

    /// In-cluster configuration from the pod's service account.
    ///
    /// - Parameters:
    ///   - environment: supplies `KUBERNETES_SERVICE_HOST`/`PORT` and `POD_NAMESPACE`.
    ///   - root: the file system root the service account directory is under (tests inject a temp dir).
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment, root: String = "/"
    ) throws(KubeAPIError) -> KubernetesConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeAPIError(
                code: .configuration,
                message: "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        let directory = URL(fileURLWithPath: root).appendingPathComponent(serviceAccountDirectory)
        let caPath = directory.appendingPathComponent("ca.crt").path
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw KubeAPIError(code: .configuration, message: "cannot read the service account CA bundle \(caPath)")
        }
        let tokenPath = directory.appendingPathComponent("token").path
        let namespaceFile = FileManager.default.contents(atPath: directory.appendingPathComponent("namespace").path)
            .flatMap { String(data: $0, encoding: .utf8) }?.trimmingCharacters(in: .whitespacesAndNewlines)
        let namespace = [environment["POD_NAMESPACE"], namespaceFile].compactMap { $0 }.first { !$0.isEmpty } ?? "default"
        return KubernetesConfiguration(
            server: "https://" + joinHostPort(host, port), certificateAuthorityPEM: ca,
            token: FileKubeToken(path: tokenPath), namespace: namespace, source: "in-cluster")
    }

    /// Go's `net.JoinHostPort`: brackets IPv6 literals.
    public static func joinHostPort(_ host: String, _ port: String) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Picks the source like controller-runtime: `kubeconfigPath` (the `--kubeconfig` flag),
    /// else `$KUBECONFIG` (its first existing entry), else in-cluster when
    /// `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`.
    public static func load(
        kubeconfigPath: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String = NSHomeDirectory(), root: String = "/"
    ) throws(KubeAPIError) -> KubernetesConfiguration {
        if let kubeconfigPath, !kubeconfigPath.isEmpty {
            return try kubeconfig(path: kubeconfigPath, context: context)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            guard let path = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw KubeAPIError(code: .configuration, message: "none of the files in $KUBECONFIG exists: \(list)")
            }
            return try kubeconfig(path: path, context: context)
        }
        if let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty {
            return try inCluster(environment: environment, root: root)
        }
        let home = URL(fileURLWithPath: homeDirectory).appendingPathComponent(".kube/config").path
        guard FileManager.default.fileExists(atPath: home) else {
            throw KubeAPIError(
                code: .configuration,
                message: "no Kubernetes configuration: pass --kubeconfig, set $KUBECONFIG, run in a pod, or create \(home)")
        }
        return try kubeconfig(path: home, context: context)
    }
}
