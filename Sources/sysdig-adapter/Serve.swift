import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MetricsServer
import ServiceLifecycle
import Shared

/// `sysdig-adapter serve`: the adapter itself.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve custom.metrics.k8s.io and external.metrics.k8s.io from Sysdig Monitor.")

    enum ConfigSource: String, ExpressibleByArgument, CaseIterable {
        case files, kubernetes
    }

    @Option(help: "Where mappings come from: files (YAML) or kubernetes (the CRDs).")
    var configSource: ConfigSource = .files

    @Option(name: .customLong("mappings"), parsing: .singleValue,
            help: "Mapping files or directories (files mode).")
    var mappings: [String] = []

    @OptionGroup var kubernetes: KubernetesOptions
    @OptionGroup var sysdig: SysdigOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var security: SecurityOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if configSource == .files && mappings.isEmpty {
            throw ValidationError("--config-source files needs --mappings PATH...")
        }
        _ = try sysdig.servingClusterName()
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let store = ConfigStore()
        let metrics = AdapterMetrics()
        let configServices: [any Service]
        var health: QueryHealthRecorder?
        var pods: PodCache?
        switch configSource {
        case .files:
            let source = FileMappingSource(paths: mappings, store: store, logger: logger)
            do {
                try source.reload()
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
            configServices = [source]
        case .kubernetes:
            let recorder = QueryHealthRecorder()
            health = recorder
            let kube = try kubernetes.makeServices(store: store, health: recorder, metrics: metrics, logger: logger)
            configServices = kube.services
            pods = kube.pods
        }
        let auth = try security.resolve(
            kubernetesMode: configSource == .kubernetes,
            bindAddress: server.resolvedBindAddress(kubernetesMode: configSource == .kubernetes),
            kubeconfig: kubernetes.kubeconfig, logger: logger)
        let token = try sysdig.tokenProvider()
        do {
            _ = try await token.token()
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let client = SysdigClient(
            baseURL: sysdig.resolvedURL, token: token, httpClient: HTTPClient.shared, logger: logger)
        let adapter = try server.makeServer(
            store: store, sysdig: client, sysdigOptions: sysdig, kubernetesMode: configSource == .kubernetes,
            health: health, metrics: metrics, pods: pods, auth: auth, services: [],
            logger: logger)
        let selfCheck = SysdigSelfCheck(client: client, store: store, logger: logger, timeout: sysdig.timeout)
        var configuration = ServiceGroupConfiguration(
            services: (auth.services + configServices).map { .init(service: $0) } + [
                .init(service: adapter.application),
                .init(service: selfCheck, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // In-flight requests get --shutdown-grace to finish; then the rest is cancelled.
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(server.shutdownGrace * 1000))
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// HTTPS serving flags.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (default: 0.0.0.0 in kubernetes mode, 127.0.0.1 in files mode).")
    var bindAddress: String?

    /// The address to bind: all interfaces only where callers are authenticated by default.
    func resolvedBindAddress(kubernetesMode: Bool) -> String {
        bindAddress ?? (kubernetesMode ? "0.0.0.0" : "127.0.0.1")
    }

    @Option(help: "HTTPS port.")
    var securePort = 6443

    @Option(help: "Seconds in-flight requests get to finish after SIGTERM (keep below terminationGracePeriodSeconds).")
    var shutdownGrace: Double = 20

    @Option(help: "Serving certificate (PEM); re-read when it changes. Self-signed when absent.")
    var tlsCertFile: String?

    @Option(help: "Serving private key (PEM).")
    var tlsPrivateKeyFile: String?

    @Option(help: "Seconds a Sysdig answer is cached; 0 disables caching.")
    var cacheTTL: Double = 10

    @Option(help: "Sustained Sysdig requests per second (client-side limit).")
    var sysdigQPS: Double = 20

    @Option(help: "Sysdig requests allowed in a burst.")
    var sysdigBurst = 40

    func validate() throws {
        if (tlsCertFile == nil) != (tlsPrivateKeyFile == nil) {
            throw ValidationError("--tls-cert-file and --tls-private-key-file go together")
        }
        guard (0...65535).contains(securePort) else { throw ValidationError("--secure-port must be 0-65535") }
        guard cacheTTL >= 0, cacheTTL <= 3600 else { throw ValidationError("--cache-ttl must be 0-3600 seconds") }
        guard sysdigBurst >= 1 else { throw ValidationError("--sysdig-burst must be at least 1") }
    }

    func makeServer(
        store: ConfigStore, sysdig client: any SysdigQuerying, sysdigOptions: SysdigOptions, kubernetesMode: Bool,
        health: QueryHealthRecorder? = nil, metrics: AdapterMetrics = AdapterMetrics(), pods: (any PodListing)? = nil,
        auth: SecurityOptions.Resolved = .init(services: []),
        services: [any Service], logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> AdapterServer {
        var options = AdapterServerOptions()
        let bindAddress = resolvedBindAddress(kubernetesMode: kubernetesMode)
        options.bindAddress = bindAddress
        options.port = securePort
        if let tlsCertFile, let tlsPrivateKeyFile {
            options.certificateFiles = .init(certificateFile: tlsCertFile, privateKeyFile: tlsPrivateKeyFile)
        }
        options.extraDNSNames = Self.serviceDNSNames()
        options.extraIPAddresses = Environment.value("POD_IP").map { [$0] } ?? []
        options.provider = MetricsProvider.Configuration(
            cacheTTL: .milliseconds(Int64(cacheTTL * 1000)), sysdigTimeout: sysdigOptions.timeout,
            clusterName: try sysdigOptions.servingClusterName())
        options.sysdigQPS = sysdigQPS
        options.sysdigBurst = sysdigBurst
        options.health = health
        options.metrics = metrics
        options.pods = pods
        options.authenticator = auth.authenticator
        options.authorizer = auth.authorizer
        options.limits = auth.limits
        options.tls = auth.tls
        return try AdapterServer(
            store: store, sysdig: client, options: options, services: services, logger: logger,
            onServerRunning: { port in
                logger.info("Serving the metrics APIs", metadata: ["server.address": "\(bindAddress):\(port)"])
                await onServerRunning(port)
            })
    }

    /// The names kube-apiserver uses to reach the Service: `<svc>.<ns>.svc`
    /// (docs/aggregation-layer.md, "How kube-apiserver proxies a request").
    static func serviceDNSNames() -> [String] {
        let service = Environment.value("SERVICE_NAME") ?? "sysdig-adapter"
        guard let namespace = Environment.value("POD_NAMESPACE") else { return [] }
        return ["\(service).\(namespace)", "\(service).\(namespace).svc", "\(service).\(namespace).svc.cluster.local"]
    }
}

/// Logging flags.
struct LoggingOptions: ParsableArguments {
    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "json or text (default: json in a cluster, where KUBERNETES_SERVICE_HOST is set; text otherwise).")
    var logFormat: LogFormat?

    /// Bootstraps swift-log once and returns the adapter's logger.
    func bootstrap() -> Logger {
        let level = logLevel
        let format = logFormat ?? .defaultFormat()
        LoggingSystem.bootstrap { label in format.makeHandler(label: label, level: level) }
        return Logger(label: "sysdig-adapter")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
