import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// The current ``AuthenticationSettings``, read by every request and swapped when the
/// `extension-apiserver-authentication` ConfigMap changes (CA rotation without restart),
/// with the verdicts on client certificate chains against its CA bundles.
///
/// Each CA bundle has a version that changes with the bundle; verdicts are cached under it
/// (``ClientCertificateVerificationCache``) and dropped when it changes.
public final class AuthenticationSettingsStore: Sendable {
    /// Settings and the versions of their CA bundles, read together.
    struct Snapshot: Sendable {
        var settings: AuthenticationSettings
        /// Version of `settings.requestHeaderCAs`.
        var requestHeaderBundle: UInt64
        /// Version of `settings.clientCAs`.
        var clientBundle: UInt64
    }

    private let state: Mutex<Snapshot>
    /// Verdicts on presented chains against the current CA bundles (verified once per chain).
    let verifications: ClientCertificateVerificationCache

    /// Starts with `settings` (e.g. from flags, or empty until the ConfigMap is read).
    /// - Parameter limits: What a presented certificate chain may cost to verify.
    public init(_ settings: AuthenticationSettings = AuthenticationSettings(), limits: ClientCertificateLimits = .standard) {
        state = Mutex(Snapshot(settings: settings, requestHeaderBundle: 0, clientBundle: 0))
        verifications = ClientCertificateVerificationCache(limits: limits)
    }

    /// The settings new requests use.
    public var current: AuthenticationSettings { state.withLock { $0.settings } }

    /// The settings new requests use, with their CA bundle versions.
    var snapshot: Snapshot { state.withLock { $0 } }

    /// Installs new settings; returns true when they differ from the old ones. A changed CA
    /// bundle gets a new version, and the verdicts against the old one are dropped.
    @discardableResult
    public func update(_ settings: AuthenticationSettings) -> Bool {
        let (changed, requestHeaderCAsChanged, clientCAsChanged) = state.withLock { snapshot in
            let old = snapshot.settings
            let requestHeaderCAsChanged = old.requestHeaderCAs != settings.requestHeaderCAs
            let clientCAsChanged = old.clientCAs != settings.clientCAs
            if requestHeaderCAsChanged { snapshot.requestHeaderBundle &+= 1 }
            if clientCAsChanged { snapshot.clientBundle &+= 1 }
            snapshot.settings = settings
            return (old != settings, requestHeaderCAsChanged, clientCAsChanged)
        }
        if requestHeaderCAsChanged { verifications.drop(.requestHeader) }
        if clientCAsChanged { verifications.drop(.client) }
        return changed
    }
}

/// Re-reads `kube-system/extension-apiserver-authentication` every `interval` into a store
/// (kube-apiserver rewrites it when its CAs rotate). A read or parse failure keeps the
/// last good settings and logs a warning.
public struct AuthenticationConfigMapWatcher: Service {
    /// Where kube-apiserver publishes its authentication settings.
    public static let namespace = "kube-system"
    public static let name = "extension-apiserver-authentication"

    private let api: any KubernetesAPI
    private let store: AuthenticationSettingsStore
    private let interval: Duration
    private let clock: any Clock<Duration>
    private let logger: Logger

    /// - Parameters:
    ///   - interval: Time between reads (one minute by default).
    ///   - clock: Injected so tests can drive time.
    public init(
        api: any KubernetesAPI, store: AuthenticationSettingsStore, interval: Duration = .seconds(60),
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.api = api
        self.store = store
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    /// Reads the ConfigMap once and installs its settings.
    /// - Throws: `KubeAPIError` or ``AuthenticationSettingsError``; the store is unchanged then.
    @discardableResult
    public func refresh() async throws -> Bool {
        let object = try await api.get(.configMaps, namespace: Self.namespace, name: Self.name)
        let settings = try AuthenticationSettings(configMap: object)
        let changed = store.update(settings)
        if changed {
            logger.info("Authentication settings loaded", metadata: [
                "auth.requestheader_cas": "\(settings.requestHeaderCAs.count)",
                "auth.client_cas": "\(settings.clientCAs.count)",
                "auth.allowed_names": "\(settings.allowedNames.joined(separator: ","))",
            ])
        }
        return changed
    }

    /// Refreshes every `interval` until cancelled or gracefully shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await refresh()
                } catch {
                    logger.warning(
                        "Cannot read the authentication ConfigMap; keeping the current settings",
                        metadata: ["configmap": "\(Self.namespace)/\(Self.name)", "error": "\(error)"])
                }
                do {
                    try await clock.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }
}
