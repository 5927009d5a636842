/// How much work the server takes on before refusing more, and how long it waits for a
/// client, with kube-apiserver's defaults (k8s.io/apiserver) so the adapter behaves like the
/// API server in front of it.
///
/// Every limit applies before authentication: they exist so that callers who have not
/// proven anything yet (silent TCP connections, one-byte-at-a-time headers, floods of bogus
/// tokens) cannot exhaust memory, descriptors or the review budget of legitimate callers.
public struct ServerLimits: Sendable, Hashable {
    /// `--max-requests-inflight`: requests served at once; more get 429 at once.
    /// 400 as kube-apiserver (`server.NewConfig`: `MaxRequestsInFlight: 400`). 0: no limit.
    /// `/healthz`, `/livez` and `/readyz` are exempt, as API Priority and Fairness exempts
    /// kubelet probes (the `probes` FlowSchema uses the `exempt` priority level).
    public var maxRequestsInFlight: Int
    /// `--request-timeout`: longest a request may take before it is answered 504 Timeout.
    /// 60 s as kube-apiserver (`server.NewConfig`: `RequestTimeout: 60s`). nil: none.
    public var requestTimeout: Duration?
    /// `--tls-handshake-timeout`: a connection whose TLS handshake has not completed by then
    /// is closed. 10 s, Go's `http.DefaultTransport.TLSHandshakeTimeout` (kube-apiserver
    /// itself bounds the handshake by its 32 s read-header timeout; a handshake is a few
    /// round trips, so 10 s is generous). nil: none.
    public var tlsHandshakeTimeout: Duration?
    /// `--read-header-timeout`: a connection that has not delivered a complete request head
    /// this long after its handshake, or after the first byte following a response, is
    /// closed. 32 s as kube-apiserver (`secure_serving.go`: `ReadHeaderTimeout: 32 * time.Second`,
    /// "just shy of requestTimeoutUpperBound"). nil: none.
    public var readHeaderTimeout: Duration?
    /// `--idle-timeout`: a keep-alive connection that sends nothing this long after a response
    /// is closed. 90 s as kube-apiserver (`secure_serving.go`: `IdleTimeout: 90 * time.Second`,
    /// "matches http.DefaultTransport keep-alive timeout"). nil: none.
    public var idleTimeout: Duration?
    /// `--max-connections`: open connections at most; a connection past it is closed as soon
    /// as it is accepted. kube-apiserver has no such cap (HTTP/2 multiplexes its clients);
    /// this server speaks HTTP/1.1, where each concurrent request needs a connection. Each
    /// open TLS connection holds about 41 KB (measured: 2,000 silent connections took the
    /// release binary from 46 to 128 MiB, BENCHMARKS.md "Attack benchmark"), so the default
    /// 1,000 keeps a flood of silent connections under twice the idle footprint while leaving
    /// room for far more keep-alive connections than kube-apiserver replicas open. 0: no limit.
    public var maxConnections: Int

    /// The default for ``maxConnections``.
    public static let defaultMaxConnections = 1000

    /// Creates limits; the defaults are kube-apiserver's (see each property).
    public init(
        maxRequestsInFlight: Int = 400, requestTimeout: Duration? = .seconds(60),
        tlsHandshakeTimeout: Duration? = .seconds(10), readHeaderTimeout: Duration? = .seconds(32),
        idleTimeout: Duration? = .seconds(90), maxConnections: Int = ServerLimits.defaultMaxConnections
    ) {
        self.maxRequestsInFlight = maxRequestsInFlight
        self.requestTimeout = requestTimeout
        self.tlsHandshakeTimeout = tlsHandshakeTimeout
        self.readHeaderTimeout = readHeaderTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// No limit at all (tests that exercise something else; never for serving).
    public static let unlimited = ServerLimits(
        maxRequestsInFlight: 0, requestTimeout: nil, tlsHandshakeTimeout: nil, readHeaderTimeout: nil,
        idleTimeout: nil, maxConnections: 0)
}
