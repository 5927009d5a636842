import Logging
import ServiceLifecycle
import Shared

/// Runs once at start: asks Sysdig for its metric catalogue, so a wrong URL or
/// token shows up in the log at once instead of at the first HPA query, and
/// warns about mappings naming metrics Sysdig does not know.
public struct SysdigSelfCheck: Service {
    let client: any SysdigQuerying
    let store: ConfigStore
    let logger: Logger
    let timeout: Duration

    public init(client: any SysdigQuerying, store: ConfigStore, logger: Logger, timeout: Duration = .seconds(30)) {
        self.client = client
        self.store = store
        self.logger = logger
        self.timeout = timeout
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.check() }
    }

    private func check() async {
        do {
            let descriptors = try await client.metricDescriptors(timeout: timeout)
            logger.info("Sysdig is reachable", metadata: ["sysdig.metrics": "\(descriptors.count)"])
            let known = Set(descriptors.map(\.id))
            for mapping in store.snapshot.readyMappings {
                // PromQL templates name their metrics inside the query; only Data API ids are checked.
                guard case .data(_, let metric) = mapping.backend, !known.contains(metric.id) else { continue }
                logger.warning("Mapping names a metric Sysdig does not list", metadata: [
                    "mapping": "\(mapping.key)", "sysdig.metric": "\(metric.id)",
                ])
            }
        } catch let error as SysdigError {
            guard !Task.isCancelled else { return }  // shut down before Sysdig answered
            logger.error("Sysdig self-check failed; metric queries will fail until this is fixed", metadata: [
                "sysdig.code": "\(error.code)", "error": "\(error.message)",
            ])
        } catch {
            logger.debug("Sysdig self-check ended", metadata: ["error": "\(type(of: error))"])
        }
    }
}
