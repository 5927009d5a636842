import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Shared

/// Everything the HTTPS metrics server needs, as flags give it.
public struct AdapterServerOptions: Sendable {
    public var bindAddress = "0.0.0.0"
    public var port = 6443
    /// Serving certificate files; nil generates a self-signed certificate at start.
    public var certificateFiles: ServingCertificateStore.Files?
    /// Extra DNS names for the self-signed certificate (the Service's names).
    public var extraDNSNames: [String] = []
    /// Extra IPs for the self-signed certificate (the pod IP).
    public var extraIPAddresses: [String] = []
    public var provider = MetricsProvider.Configuration()
    public var sysdigQPS: Double = 20
    public var sysdigBurst = 40
    /// Records query outcomes for `status.lastQuery` (Kubernetes mode).
    public var health: QueryHealthRecorder?
    /// The adapter's self-metrics, served at `/metrics`.
    public var metrics = AdapterMetrics()
    /// The Sysdig answer cache; nil builds a default one. Tests inject one with a
    /// controllable clock (`QueryCache(now:)`) to expire entries without sleeping.
    public var cache: QueryCache?
    /// Delegated authentication; nil treats every caller as anonymous (`--authentication-mode none`).
    /// When set, the TLS handshake requests (never requires) client certificates.
    public var authenticator: RequestAuthenticator?
    /// Delegated authorization; nil allows every request (`--authorization-mode always-allow`).
    public var authorizer: SubjectAccessReviewer?
    /// Kubernetes mode: the live pods, which Pods queries answer for; nil answers for
    /// whatever pods Sysdig reports (files mode).
    public var pods: (any PodListing)?
    /// Connection and request limits (`--max-requests-inflight`, `--request-timeout`, ...).
    public var limits = ServerLimits()
    /// `--tls-min-version` and `--tls-cipher-suites`.
    public var tls = TLSPolicy()

    public init() {}
}

/// The metrics API server built the same way for the executable and for tests:
/// health routes, discovery and metrics routes, TLS, the provider behind them.
public struct AdapterServer: Sendable {
    public let provider: MetricsProvider
    public let certificates: ServingCertificateStore
    public let metrics: AdapterMetrics
    public let application: Application<RequestGuardResponder<RouterResponder<AdapterRequestContext>>>

    /// - Parameters:
    ///   - services: services the application owns and runs (config source, simulator...).
    ///   - onServerRunning: called with the bound port once listening.
    public init(
        store: ConfigStore, sysdig: any SysdigQuerying, options: AdapterServerOptions,
        services: [any Service] = [], logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        let provider = MetricsProvider(
            store: store, sysdig: sysdig, configuration: options.provider, cache: options.cache ?? QueryCache(),
            limiter: RateLimiter(qps: options.sysdigQPS, burst: options.sysdigBurst), logger: logger,
            health: options.health, metrics: options.metrics, pods: options.pods)
        let certificates: ServingCertificateStore
        if let files = options.certificateFiles {
            certificates = try ServingCertificateStore(files: files, logger: logger)
        } else {
            certificates = ServingCertificateStore(
                certificate: try SelfSignedCertificateGenerator.generate(
                    host: "sysdig-adapter", dnsNames: options.extraDNSNames, ipAddresses: options.extraIPAddresses),
                logger: logger)
        }
        let router = Router(context: AdapterRequestContext.self)
        // Metrics first, so 401/403 answers are counted too; then auth, which wraps
        // every route and the not-found answer alike; innermost, unknown paths get a Status.
        router.add(middleware: RequestMetricsMiddleware(metrics: options.metrics))
        router.add(middleware: DelegatedAuthMiddleware(
            authenticator: options.authenticator, authorizer: options.authorizer, logger: logger))
        router.add(middleware: NotFoundStatusMiddleware())
        Self.addMetricsRoute(router, metrics: options.metrics, provider: provider, store: store)
        var readiness = [HealthCheck(name: "config-loaded") { store.isLoaded }]
        if let pods = options.pods {
            // Pods queries need the pod list: not ready (no traffic from the Service) before it.
            readiness.append(HealthCheck(name: "pods-listed") { pods.isListed })
        }
        router.addHealthRoutes(HealthChecks(readyz: readiness))
        router.addOpenAPIRoutes()
        MetricsAPIRoutes(provider: provider, logger: logger).add(to: router)
        self.provider = provider
        self.certificates = certificates
        self.metrics = options.metrics
        let load = ServerLoad()
        Self.addLoadCollector(options.metrics, load: load)
        self.application = try makeMetricsApplication(
            router: router,
            configuration: MetricsServerConfiguration(
                bindAddress: options.bindAddress, port: options.port, limits: options.limits, tls: options.tls),
            certificates: certificates, requestClientCertificates: options.authenticator != nil,
            services: services, load: load, logger: logger,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) })
    }

    /// What the connection and request guards saw: refusals and timeouts show an attack
    /// (or limits set too low) on `/metrics`.
    static func addLoadCollector(_ metrics: AdapterMetrics, load: ServerLoad) {
        metrics.addCollector {
            let now = load.snapshot
            return [
                AdapterMetrics.line("sysdig_adapter_open_connections", [], Double(now.openConnections)),
                AdapterMetrics.line("sysdig_adapter_refused_connections_total", [], Double(now.refusedConnections)),
                AdapterMetrics.line("sysdig_adapter_requests_in_flight", [], Double(now.requestsInFlight)),
                AdapterMetrics.line("sysdig_adapter_requests_rejected_total", [("reason", "in_flight_cap")], Double(now.rejectedRequests)),
                AdapterMetrics.line("sysdig_adapter_requests_rejected_total", [("reason", "timeout")], Double(now.timedOutRequests)),
                AdapterMetrics.line("sysdig_adapter_requests_rejected_total", [("reason", "path_too_long")], Double(now.pathTooLong)),
                AdapterMetrics.line("sysdig_adapter_connections_closed_total", [("reason", "handshake_timeout")], Double(now.handshakeTimeouts)),
                AdapterMetrics.line("sysdig_adapter_connections_closed_total", [("reason", "read_header_timeout")], Double(now.readHeaderTimeouts)),
                AdapterMetrics.line("sysdig_adapter_connections_closed_total", [("reason", "idle_timeout")], Double(now.idleTimeouts)),
            ]
        }
    }

    /// `/metrics`: the Prometheus text format, with state read at scrape time.
    static func addMetricsRoute(_ router: Router<AdapterRequestContext>, metrics: AdapterMetrics, provider: MetricsProvider, store: ConfigStore) {
        metrics.addCollector {
            let cache = provider.cache.statistics
            var lines = [
                AdapterMetrics.line("sysdig_adapter_cache_hits_total", [], Double(cache.hits)),
                AdapterMetrics.line("sysdig_adapter_cache_misses_total", [], Double(cache.misses)),
                AdapterMetrics.line("sysdig_adapter_cache_coalesced_total", [], Double(cache.coalesced)),
                AdapterMetrics.line("sysdig_adapter_cache_evictions_total", [], Double(cache.evictions)),
                AdapterMetrics.line("sysdig_adapter_cache_entries", [], Double(provider.cache.count)),
                AdapterMetrics.line("sysdig_adapter_cache_bytes", [], Double(provider.cache.bytes)),
                AdapterMetrics.line("sysdig_adapter_cache_expirations_total", [], Double(cache.expirations)),
                AdapterMetrics.line("sysdig_adapter_cache_oversized_total", [], Double(cache.oversized)),
                AdapterMetrics.line("sysdig_adapter_rate_limiter_waits_total", [], Double(provider.limiter.waitCount)),
                AdapterMetrics.line("sysdig_adapter_config_loaded", [], store.isLoaded ? 1 : 0),
            ]
            var states = ["ready": 0, "invalid": 0, "conflicting": 0]
            for entry in store.snapshot.entries.values {
                switch entry.state {
                case .ready: states["ready", default: 0] += 1
                case .invalid: states["invalid", default: 0] += 1
                case .conflicting: states["conflicting", default: 0] += 1
                }
            }
            for (state, count) in states.sorted(by: { $0.key < $1.key }) {
                lines.append(AdapterMetrics.line("sysdig_adapter_mappings", [("state", state)], Double(count)))
            }
            return lines
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
    }
}
