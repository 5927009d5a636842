import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MetricsServer
import ServiceLifecycle
import Shared
import SysdigSimulator

/// `sysdig-adapter demo`: the real server against a simulated Sysdig, with the
/// example mappings. No cluster and no Sysdig account needed.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the adapter against a built-in simulated Sysdig, with example mappings; no cluster needed.")

    @Option(name: .customLong("mappings"), parsing: .singleValue,
            help: "Mapping files or directories (default: crds/examples).")
    var mappings: [String] = ["crds/examples"]

    @Option(help: "Address to listen on.")
    var bindAddress = "127.0.0.1"

    @Option(help: "HTTPS port (0 picks a free one).")
    var securePort = 6443

    @Option(help: "Cluster name the simulated Sysdig knows.")
    var clusterName = "demo"

    @Option(help: "Seconds a Sysdig answer is cached; 0 disables caching.")
    var cacheTTL: Double = 10

    @Flag(help: "Print the sample answers and exit instead of serving.")
    var once = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.bootstrap()
        let token = "demo-token-" + UUID().uuidString.lowercased()
        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo(clusterName: clusterName))
        try await simulator.withRunning { sysdigPort in
            let store = ConfigStore()
            let source = FileMappingSource(paths: mappings, store: store, logger: logger)
            do {
                try source.reload()
            } catch {
                printError("error: \(error) (run the demo from the repository root, or pass --mappings)")
                throw ExitCode(1)
            }
            let client = SysdigClient(
                baseURL: "http://127.0.0.1:\(sysdigPort)", token: StaticSysdigToken(token),
                httpClient: HTTPClient.shared, logger: logger)
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            var options = AdapterServerOptions()
            options.bindAddress = bindAddress
            options.port = securePort
            options.provider = MetricsProvider.Configuration(
                cacheTTL: .milliseconds(Int64(max(0, cacheTTL) * 1000)), clusterName: clusterName)
            options.sysdigQPS = 0  // the simulated backend needs no protection
            let server = try AdapterServer(
                store: store, sysdig: client, options: options, services: [source], logger: logger,
                onServerRunning: { port in portContinuation.yield(port) })
            try await withThrowingDiscardingTaskGroup { group in
                let serviceGroup = ServiceGroup(
                    services: [server.application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                group.addTask { try await serviceGroup.run() }
                for await port in ports {
                    await DemoGuide(port: port, store: store, provider: server.provider, clusterName: clusterName).print()
                    break
                }
                if once { await serviceGroup.triggerGracefulShutdown() }
            }
        }
    }
}
