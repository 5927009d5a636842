/// Where and how the aggregated API server listens.
public struct MetricsServerConfiguration: Sendable, Hashable {
    /// `--bind-address`; `0.0.0.0` listens on every IPv4 interface, `::` on every interface.
    public var bindAddress: String
    /// `--secure-port`; 0 picks a free port (tests), learn it via `onServerRunning`.
    public var port: Int
    /// Connection and request limits (`--max-requests-inflight`, `--request-timeout`,
    /// `--tls-handshake-timeout`, `--read-header-timeout`, `--idle-timeout`, `--max-connections`).
    public var limits: ServerLimits
    /// `--tls-min-version` and `--tls-cipher-suites`.
    public var tls: TLSPolicy

    /// Creates a configuration; the default port matches the Kubernetes convention for
    /// extension API servers, the limits and TLS policy are kube-apiserver's defaults.
    public init(
        bindAddress: String = "0.0.0.0", port: Int = 6443,
        limits: ServerLimits = ServerLimits(), tls: TLSPolicy = TLSPolicy()
    ) {
        self.bindAddress = bindAddress
        self.port = port
        self.limits = limits
        self.tls = tls
    }
}
