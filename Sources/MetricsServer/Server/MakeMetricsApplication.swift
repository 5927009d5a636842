import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Builds the HTTPS Hummingbird application that serves the metrics APIs.
///
/// The same function is used by the executable and by tests. The result is a
/// ServiceLifecycle `Service`: run it in a `ServiceGroup` (or call `runService()`).
/// When `certificates` is file-backed, a ``ServingCertificateReloader`` runs as one of
/// the application's services so rotated files are picked up without a restart.
///
/// `configuration.limits` guards the server before any route or authentication runs
/// (``ServerLimits``: connection cap, TLS handshake / read-header / idle timeouts, requests
/// in flight, request timeout) and `configuration.tls` is the TLS policy (``TLSPolicy``).
///
/// - Parameters:
///   - router: The routes (health routes are added by the caller with `addHealthRoutes`).
///   - configuration: Bind address, port, limits and TLS policy.
///   - certificates: The serving material; looked up per TLS handshake.
///   - reloadInterval: How often file-backed material is re-checked.
///   - requestClientCertificates: Ask clients for a certificate without verifying it at the
///     handshake (``ClientCertificateTLSChannel``); the chain is then read per request.
///   - customizeTLS: Last-minute changes to the TLS configuration (e.g. request client certificates).
///   - services: Extra services the application should own.
///   - load: Counters of the overload protections (tests wait on them).
///   - logger: The server's logger.
///   - onServerRunning: Called once the socket is bound; `channel.localAddress?.port` is the real port.
public func makeMetricsApplication<Builder: HTTPResponderBuilder>(
    router: Builder,
    configuration: MetricsServerConfiguration,
    certificates: ServingCertificateStore,
    reloadInterval: Duration = .seconds(60),
    requestClientCertificates: Bool = false,
    customizeTLS: (inout TLSConfiguration) -> Void = { _ in },
    services: [any Service] = [],
    load: ServerLoad = ServerLoad(),
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) throws -> Application<RequestGuardResponder<Builder.Responder>>
where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    var tlsConfiguration = certificates.makeServerTLSConfiguration(policy: configuration.tls)
    if requestClientCertificates {
        tlsConfiguration = ClientCertificateTLSChannel<HTTP1Channel>.requestingClientCertificates(tlsConfiguration)
    }
    customizeTLS(&tlsConfiguration)
    let limits = configuration.limits
    let tls = tlsConfiguration
    let server = HTTPServerBuilder { responder in
        let http = HTTP1Channel(responder: responder)
        if requestClientCertificates {
            return ConnectionGuardChannel(
                base: try ClientCertificateTLSChannel(http, tlsConfiguration: tls), limits: limits, load: load,
                logger: logger)
        }
        return ConnectionGuardChannel(
            base: try TLSChannel(http, tlsConfiguration: tls), limits: limits, load: load, logger: logger)
    }
    var allServices = services
    if certificates.files != nil {
        allServices.append(ServingCertificateReloader(store: certificates, interval: reloadInterval))
    }
    return Application(
        router: RequestGuardBuilder(base: router, limits: limits, load: load, logger: logger),
        server: server,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.bindAddress, port: configuration.port),
            serverName: nil  // no Server header, as kube-apiserver sends none
        ),
        services: allServices,
        onServerRunning: onServerRunning,
        logger: logger
    )
}
