import ArgumentParser
import Foundation
import Logging
import Operator
import ServiceLifecycle
import Shared
import Synchronization

/// Kubernetes mode flags: how to reach the API server and elect a leader.
struct KubernetesOptions: ParsableArguments {
    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, in-cluster, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "Elect a leader with a Lease; only the leader writes status and events.")
    var leaderElect = true

    @Option(help: "Namespace of the leader Lease (default: the pod's namespace).")
    var leaderElectionNamespace: String?

    @Option(help: "Seconds between writes of status.lastQuery (per mapping, at most one write per interval).")
    var statusQueryInterval: Double = 30

    @Option(help: "Namespace for events about cluster-scoped mappings: default or kube-system (the only ones kube-apiserver accepts for them).")
    var clusterEventNamespace = "default"

    @Option(name: .customLong("kube-api-qps"), help: "Requests per second to the Kubernetes API for lists, watches, status, events and the Lease (client-side limit).")
    var kubeAPIQPS: Double = 20

    @Option(name: .customLong("kube-api-burst"), help: "Requests to the Kubernetes API allowed in a burst.")
    var kubeAPIBurst = 40

    /// The watch loop, the pod cache, the status writer and leader elector, wired to one client.
    func makeServices(
        store: ConfigStore, health: QueryHealthRecorder, metrics: AdapterMetrics, logger: Logger
    ) throws -> (services: [any Service], pods: PodCache) {
        guard kubeAPIQPS >= 0, kubeAPIQPS.isFinite else { throw ValidationError("--kube-api-qps must be 0 (no limit) or more") }
        guard kubeAPIBurst >= 1 else { throw ValidationError("--kube-api-burst must be at least 1") }
        // kube-apiserver refuses an Event about a cluster-scoped object anywhere else.
        guard ["default", "kube-system"].contains(clusterEventNamespace) else {
            throw ValidationError("--cluster-event-namespace must be default or kube-system: kube-apiserver refuses events about cluster-scoped objects in other namespaces")
        }
        var configuration: KubernetesConfiguration
        let client: KubernetesClient
        do {
            configuration = try KubernetesConfiguration.load(kubeconfigPath: kubeconfig)
            configuration.qps = kubeAPIQPS
            configuration.burst = kubeAPIBurst
            client = try KubernetesClient(configuration: configuration, logger: logger)
        } catch {
            throw ValidationError("cannot reach Kubernetes: \(error.message)")
        }
        let identity = (Environment.value("POD_NAME") ?? ProcessInfo.processInfo.hostName) + "_" + UUID().uuidString.lowercased()
        let events = EventRecorder(
            api: client, reportingInstance: identity, logger: logger, clusterEventNamespace: clusterEventNamespace)
        let leadership = LeadershipFlag(enabled: leaderElect)
        let writer = StatusWriter(api: client, logger: logger, isLeader: { leadership.isLeader }, events: events)
        let controller = MappingController(
            api: client, store: store, logger: logger, metrics: metrics,
            onPublish: { snapshot, objects in writer.enqueue(snapshot: snapshot, objects: objects) })
        // First in, last out: the client outlives everything that uses it.
        let healthWriter = QueryHealthWriter(
            api: client, recorder: health, logger: logger,
            interval: .milliseconds(Int64(max(0.1, statusQueryInterval) * 1000)),
            isLeader: { leadership.isLeader }, events: events)
        let pods = PodCache(api: client, logger: logger)
        var services: [any Service] = [KubernetesClientLifetime(client: client), controller, pods, writer, healthWriter]
        metrics.setLeader(!leaderElect)
        if leaderElect {
            var election = LeaderElector.Configuration(
                namespace: leaderElectionNamespace ?? configuration.namespace, identity: identity)
            election.name = "sysdig-adapter"
            services.append(LeaderElector(
                api: client, configuration: election, logger: logger,
                onChange: { leading in
                    leadership.set(leading)
                    metrics.setLeader(leading)
                    if leading { writer.resync() }
                }))
        }
        logger.info("Watching mappings in Kubernetes", metadata: [
            "kubernetes.source": "\(configuration.source)", "leader.identity": "\(identity)",
        ])
        return (services, pods)
    }
}

/// Whether this replica may write status: always when election is off.
final class LeadershipFlag: Sendable {
    private let state: Mutex<Bool>

    init(enabled: Bool) {
        state = Mutex(!enabled)
    }

    var isLeader: Bool { state.withLock { $0 } }

    func set(_ leading: Bool) {
        state.withLock { $0 = leading }
    }
}

/// Shuts the Kubernetes client down after every service using it has stopped.
struct KubernetesClientLifetime: Service {
    let client: KubernetesClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
