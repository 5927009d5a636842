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

    public init() {}
}

/// The metrics API server built the same way for the executable and for tests:
/// health routes, discovery and metrics routes, TLS, the provider behind them.
public struct AdapterServer: Sendable {
    public let provider: MetricsProvider
    public let certificates: ServingCertificateStore
    public let application: Application<RouterResponder<BasicRequestContext>>

    /// - Parameters:
    ///   - cache: the Sysdig answer cache; tests inject one with a controlled clock.
    ///   - services: services the application owns and runs (config source, simulator...).
    ///   - onServerRunning: called with the bound port once listening.
    public init(
        store: ConfigStore, sysdig: any SysdigQuerying, options: AdapterServerOptions,
        cache: QueryCache = QueryCache(), services: [any Service] = [], logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        let provider = MetricsProvider(
            store: store, sysdig: sysdig, configuration: options.provider, cache: cache,
            limiter: RateLimiter(qps: options.sysdigQPS, burst: options.sysdigBurst), logger: logger)
        let certificates: ServingCertificateStore
        if let files = options.certificateFiles {
            certificates = try ServingCertificateStore(files: files, logger: logger)
        } else {
            certificates = ServingCertificateStore(
                certificate: try SelfSignedCertificateGenerator.generate(
                    host: "sysdig-adapter", dnsNames: options.extraDNSNames, ipAddresses: options.extraIPAddresses),
                logger: logger)
        }
        let router = Router()
        router.addHealthRoutes(HealthChecks(readyz: [HealthCheck(name: "config-loaded") { store.isLoaded }]))
        MetricsAPIRoutes(provider: provider, logger: logger).add(to: router)
        self.provider = provider
        self.certificates = certificates
        self.application = try makeMetricsApplication(
            router: router,
            configuration: MetricsServerConfiguration(bindAddress: options.bindAddress, port: options.port),
            certificates: certificates, services: services, logger: logger,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) })
    }
}
