import Logging
import ServiceLifecycle
import Synchronization

/// The pods that exist now, for Pods (selector) queries in Kubernetes mode.
public protocol PodListing: Sendable {
    /// Whether the pods have been listed once (`/readyz` waits for it).
    var isListed: Bool { get }
    /// The names, sorted, of the pods in `namespace` whose labels match `selector`;
    /// nil until the pods have been listed once.
    func podNames(namespace: String, selector: LabelSelector) -> [String]?
}

/// Every pod's namespace, name and labels, kept current by a list+watch of
/// `/api/v1/pods` (docs/hpa-semantics.md: the HPA averages every item it receives, so
/// an answer describes exactly the pods that exist now, as prometheus-adapter's does).
/// Pods that finished (phase Succeeded or Failed) are left out: they run no more.
///
/// Only names and labels are kept, so memory is proportional to the number of pods
/// and their labels, not to the size of pod specs. Needs `get`, `list` and `watch` on
/// `pods` (deploy/base/rbac.yaml).
public final class PodCache: PodListing, Service {
    private struct State {
        var synced = false
        /// namespace → name → labels
        var pods: [String: [String: [String: String]]] = [:]
    }

    private let state = Mutex(State())
    private let reflector: @Sendable (PodCache) -> KubeReflector

    public init(
        api: any KubernetesAPI, logger: Logger, pageSize: Int = 500, sleep: @escaping Sleeper = Sleepers.real,
        now: @escaping InstantSource = { .now }
    ) {
        reflector = { cache in
            KubeReflector(
                api: api, resource: .pods, pageSize: pageSize, sleep: sleep, now: now, logger: logger,
                onUpdate: { [weak cache] update in cache?.apply(update) })
        }
    }

    public func run() async throws {
        let reflector = self.reflector(self)
        await cancelWhenGracefulShutdown { await reflector.run() }
    }

    public var isListed: Bool { state.withLock { $0.synced } }

    public func podNames(namespace: String, selector: LabelSelector) -> [String]? {
        state.withLock { state -> [String]? in
            guard state.synced else { return nil }
            return (state.pods[namespace] ?? [:]).filter { selector.matches($0.value) }.keys.sorted()
        }
    }

    func apply(_ update: KubeReflector.Update) {
        state.withLock { state in
            switch update {
            case .replaced(let items):
                state.pods = [:]
                for item in items { Self.insert(item, into: &state.pods) }
                state.synced = true
            case .event(let event):
                guard let (namespace, name) = Self.identity(event.object) else { return }
                state.pods[namespace]?[name] = nil
                if event.type != .deleted { Self.insert(event.object, into: &state.pods) }
                if state.pods[namespace]?.isEmpty == true { state.pods[namespace] = nil }
            }
        }
    }

    private static func identity(_ pod: JSONValue) -> (String, String)? {
        guard let namespace = pod["metadata"]?["namespace"]?.stringValue, let name = pod["metadata"]?["name"]?.stringValue
        else { return nil }
        return (namespace, name)
    }

    private static func insert(_ pod: JSONValue, into pods: inout [String: [String: [String: String]]]) {
        guard let (namespace, name) = identity(pod) else { return }
        let phase = pod["status"]?["phase"]?.stringValue
        guard phase != "Succeeded", phase != "Failed" else { return }
        var labels: [String: String] = [:]
        if case .object(let fields)? = pod["metadata"]?["labels"] {
            for (key, value) in fields { if let text = value.stringValue { labels[key] = text } }
        }
        pods[namespace, default: [:]][name] = labels
    }
}
