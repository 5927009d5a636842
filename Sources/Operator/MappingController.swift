import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Kubernetes mode: keeps the config store in step with the SysdigMetricMapping
/// and ClusterSysdigMetricMapping objects in the cluster.
///
/// Two watchers feed an object cache; a reconcile loop, woken by any change
/// (bursts coalesce into one pass), decodes and compiles only objects whose
/// resourceVersion changed, resolves conflicts over the whole set and publishes
/// one immutable snapshot. Nothing is published until both kinds have been listed
/// once, so `/readyz` stays false until the first full sync.
public final class MappingController: Service, Sendable {
    /// A decoded object, kept until its resourceVersion changes.
    private struct Compiled: Sendable {
        var resourceVersion: String?
        var mapping: MetricMapping?
        var result: Result<CompiledMapping, MappingDecodingError>
    }

    private struct State: Sendable {
        var objects: [MappingKind: [MappingKey: JSONValue]] = [.namespaced: [:], .cluster: [:]]
        var synced: Set<MappingKind> = []
        var compiled: [MappingKey: Compiled] = [:]
    }

    private let api: any KubernetesAPI
    private let store: ConfigStore
    private let logger: Logger
    private let sleep: Sleeper
    private let pageSize: Int
    private let state = Mutex(State())
    private let trigger: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Called after each publish with the snapshot and the raw objects (the status writer).
    private let onPublish: @Sendable (ConfigSnapshot, [MappingKey: JSONValue]) async -> Void
    private let metrics: AdapterMetrics?
    /// Completed publish cycles (snapshot published, `onPublish` returned).
    private let cycles = ProgressCounter()

    /// - Parameters:
    ///   - pageSize: list page size (client-go uses 500).
    ///   - sleep: how watchers wait between retries (tests inject one that returns at once).
    ///   - onPublish: called after each publish with the snapshot and the raw objects; pass
    ///     `StatusWriter.enqueue(snapshot:objects:)` on every replica (it acts only when leading).
    public init(
        api: any KubernetesAPI, store: ConfigStore, logger: Logger, pageSize: Int = 500,
        sleep: @escaping Sleeper = Sleepers.real, metrics: AdapterMetrics? = nil,
        onPublish: @escaping @Sendable (ConfigSnapshot, [MappingKey: JSONValue]) async -> Void = { _, _ in }
    ) {
        self.metrics = metrics
        self.api = api
        self.store = store
        self.logger = logger
        self.sleep = sleep
        self.pageSize = pageSize
        self.onPublish = onPublish
        (trigger, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Completed publish cycles: each is a snapshot published to the store and handed to `onPublish`.
    public var publishCount: Int { cycles.count }

    /// Returns once `count` publish cycles have completed (see `publishCount`).
    public func waitForPublish(count: Int) async {
        await cycles.wait(for: count)
    }

    /// Returns once both kinds have been listed and the first snapshot was published and
    /// handed to `onPublish` (what `/readyz` waits for).
    public func waitUntilSynced() async {
        await cycles.wait(for: 1)
    }

    /// Watches and reconciles until graceful shutdown or cancellation. Call it once.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for kind in MappingKind.allCases {
                var watcher = MappingWatcher(
                    api: api, kind: kind, pageSize: pageSize, sleep: sleep, logger: logger,
                    onUpdate: { [weak self] update in self?.apply(update) })
                if let metrics {
                    watcher.onRestart = { relist in metrics.watchRestarted(kind: kind.rawValue, relist: relist) }
                }
                group.addTask { await watcher.run() }
            }
            group.addTask { await self.reconcileLoop() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Runs a reconcile pass even without a change (e.g. on becoming leader, so
    /// the new leader writes any status its predecessor left stale).
    public func requestReconcile() {
        wake.yield()
    }

    private func apply(_ update: MappingWatcher.Update) {
        state.withLock { state in
            switch update {
            case .replaced(let kind, let items):
                var fresh: [MappingKey: JSONValue] = [:]
                for item in items {
                    if let key = Self.key(of: item, kind: kind) { fresh[key] = item }
                }
                state.objects[kind] = fresh
                state.synced.insert(kind)
            case .event(let kind, let event):
                guard let key = Self.key(of: event.object, kind: kind) else { return }
                if event.type == .deleted {
                    state.objects[kind]?[key] = nil
                } else {
                    state.objects[kind]?[key] = event.object
                }
            }
        }
        wake.yield()
    }

    private func reconcileLoop() async {
        for await _ in trigger {
            let start = ContinuousClock.now
            guard let (snapshot, objects) = reconcile() else { continue }
            store.publish(snapshot)
            metrics?.reconciled(duration: .now - start)
            logger.debug("Published mappings", metadata: [
                "config.version": "\(snapshot.version)", "mappings.ready": "\(snapshot.readyMappings.count)",
            ])
            await onPublish(snapshot, objects)
            cycles.increment()
        }
    }

    /// One level-based pass over the whole object set. Returns nil until both kinds are synced.
    func reconcile() -> (ConfigSnapshot, [MappingKey: JSONValue])? {
        let version = store.nextVersion
        return state.withLock { state -> (ConfigSnapshot, [MappingKey: JSONValue])? in
            guard state.synced.count == MappingKind.allCases.count else { return nil }
            let objects = state.objects.values.reduce(into: [MappingKey: JSONValue]()) { $0.merge($1) { $1 } }
            var compiled: [MappingKey: Compiled] = [:]
            for (key, object) in objects {
                let resourceVersion = object["metadata"]?["resourceVersion"]?.stringValue
                if let cached = state.compiled[key], cached.resourceVersion == resourceVersion, resourceVersion != nil {
                    compiled[key] = cached
                } else {
                    compiled[key] = Self.compile(object, key: key, resourceVersion: resourceVersion)
                }
            }
            state.compiled = compiled
            var valid: [(result: Result<CompiledMapping, MappingDecodingError>, mapping: MetricMapping, origin: String?)] = []
            var invalid: [(key: MappingKey, problems: [FieldProblem], origin: String?)] = []
            for (key, entry) in compiled {
                if let mapping = entry.mapping {
                    valid.append((entry.result, mapping, nil))
                } else if case .failure(let error) = entry.result {
                    invalid.append((key, error.problems, nil))
                }
            }
            return (ConfigSnapshot.build(version: version, compiled: valid, invalid: invalid), objects)
        }
    }

    private static func compile(_ object: JSONValue, key: MappingKey, resourceVersion: String?) -> Compiled {
        switch MappingDecoder.decode(object, defaultNamespace: nil) {
        case .success(let mapping):
            return Compiled(resourceVersion: resourceVersion, mapping: mapping, result: CompiledMapping.compile(mapping))
        case .failure(let error):
            return Compiled(
                resourceVersion: resourceVersion, mapping: nil,
                result: .failure(MappingDecodingError(key: key, problems: error.problems)))
        }
    }

    static func key(of object: JSONValue, kind: MappingKind) -> MappingKey? {
        guard let name = object["metadata"]?["name"]?.stringValue else { return nil }
        return MappingKey(kind: kind, namespace: object["metadata"]?["namespace"]?.stringValue, name: name)
    }
}
