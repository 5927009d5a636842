import ServiceLifecycle

/// A Service that periodically asks a ``ServingCertificateStore`` to re-read its files.
///
/// Content is compared by hash, so Kubernetes' atomic Secret-volume symlink swaps and
/// cert-manager rewrites are both seen; the interval only bounds how late.
public struct ServingCertificateReloader: Service {
    private let store: ServingCertificateStore
    private let interval: Duration
    private let clock: any Clock<Duration>

    /// - Parameters:
    ///   - store: The store to refresh; stores without files make this service idle until shutdown.
    ///   - interval: Time between checks (one minute by default, as Kubernetes' dynamic serving does).
    ///   - clock: Injected so tests can drive time.
    public init(store: ServingCertificateStore, interval: Duration = .seconds(60), clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.interval = interval
        self.clock = clock
    }

    /// Checks every `interval` until cancelled or gracefully shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await clock.sleep(for: interval)
                } catch {
                    return
                }
                store.reloadIfChanged()
            }
        }
    }
}
