import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Kubernetes mode: keeps the config store in step with the SysdigMetricMapping
/// and ClusterSysdigMetricMapping objects in the cluster.
///
/// Two watchers feed an object cache; a reconcile loop, woken by any change
/// (bursts coalesce into one pass), decodes and compiles only objects whose
/// resourceVersion changed, re-resolves only the alias groups those objects left or
/// joined and publishes one immutable snapshot (whose `changes` tell the status
/// writer which entries to look at). Nothing is published until both kinds have been listed
/// once, so `/readyz` stays false until the first full sync.
public final class MappingController: Service, Sendable {
    /// A decoded object, kept until its resourceVersion changes.
    private struct Compiled: Sendable {
        var resourceVersion: String?
        /// The key of its snapshot entry: the decoded mapping's key, else the object's.
        var entryKey: MappingKey
        var change: MappingChange
    }

    private struct State: Sendable {
        /// Both kinds' objects (a key includes its kind).
        var objects: [MappingKey: JSONValue] = [:]
        var synced: Set<MappingKind> = []
        var compiled: [MappingKey: Compiled] = [:]
        /// Objects added, changed or removed since the last pass.
        var dirty: Set<MappingKey> = []
        /// The next publish reports everything as changed (`requestReconcile`).
        var everything = false
        /// The last snapshot published; the next one is derived from it.
        var published: ConfigSnapshot?
    }

    private let api: any KubernetesAPI
    private let store: ConfigStore
    private let logger: Logger
    private let sleep: Sleeper
    private let now: InstantSource
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
    ///   - now: the clock backoffs and short watches are measured with (tests inject one).
    ///   - onPublish: called after each publish with the snapshot and the raw objects; pass
    ///     `StatusWriter.enqueue(snapshot:objects:)` on every replica (it acts only when leading).
    public init(
        api: any KubernetesAPI, store: ConfigStore, logger: Logger, pageSize: Int = 500,
        sleep: @escaping Sleeper = Sleepers.real, now: @escaping InstantSource = { .now }, metrics: AdapterMetrics? = nil,
        onPublish: @escaping @Sendable (ConfigSnapshot, [MappingKey: JSONValue]) async -> Void = { _, _ in }
    ) {
        self.metrics = metrics
        self.api = api
        self.store = store
        self.logger = logger
        self.sleep = sleep
        self.now = now
        self.pageSize = pageSize
        self.onPublish = onPublish
        (trigger, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Completed publish cycles: each is a snapshot published to the store and handed to `onPublish`.
    public var publishCount: Int { cycles.count }

    /// Returns once `count` publish cycles have completed (see `publishCount`).
    @_spi(Testing) public func waitForPublish(count: Int) async {
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
                var reflector = KubeReflector(
                    api: api, resource: .mappings(kind), pageSize: pageSize, sleep: sleep, now: now, logger: logger,
                    onUpdate: { [weak self] update in self?.apply(update, kind: kind) })
                if let metrics {
                    reflector.onRestart = { relist in metrics.watchRestarted(kind: kind.rawValue, relist: relist) }
                }
                group.addTask { await reflector.run() }
            }
            group.addTask { await self.reconcileLoop() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Runs a reconcile pass even without a change (e.g. on becoming leader, so
    /// the new leader writes any status its predecessor left stale).
    public func requestReconcile() {
        state.withLock { $0.everything = true }
        wake.yield()
    }

    private func apply(_ update: KubeReflector.Update, kind: MappingKind) {
        state.withLock { state in
            switch update {
            case .replaced(let items):
                // Everything of this kind may have changed, including deletions missed
                // while disconnected: the old keys and the new ones are all dirty.
                var fresh: [MappingKey: JSONValue] = [:]
                for item in items {
                    if let key = Self.key(of: item, kind: kind) { fresh[key] = item }
                }
                let gone = state.objects.keys.filter { $0.kind == kind && fresh[$0] == nil }
                for key in gone {
                    state.objects[key] = nil
                    state.dirty.insert(key)
                }
                for (key, item) in fresh {
                    state.objects[key] = item
                    state.dirty.insert(key)
                }
                state.synced.insert(kind)
            case .event(let event):
                guard let key = Self.key(of: event.object, kind: kind) else { return }
                state.objects[key] = event.type == .deleted ? nil : event.object
                state.dirty.insert(key)
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

    /// One pass over the objects that changed since the last one: recompiles them and
    /// derives the next snapshot from the last, re-resolving only the alias groups they
    /// left or joined. The first pass builds from everything. Returns nil until both
    /// kinds are synced.
    func reconcile() -> (ConfigSnapshot, [MappingKey: JSONValue])? {
        let version = store.nextVersion
        return state.withLock { state -> (ConfigSnapshot, [MappingKey: JSONValue])? in
            guard state.synced.count == MappingKind.allCases.count else { return nil }
            let dirty = state.dirty
            state.dirty = []
            var changes: [MappingKey: MappingChange] = [:]
            for key in dirty {
                let old = state.compiled[key]
                guard let object = state.objects[key] else {
                    if let old {
                        state.compiled[key] = nil
                        changes[old.entryKey] = .removed
                    }
                    continue
                }
                let resourceVersion = object["metadata"]?["resourceVersion"]?.stringValue
                if let old, old.resourceVersion == resourceVersion, resourceVersion != nil { continue }
                let fresh = Self.compile(object, key: key, resourceVersion: resourceVersion)
                state.compiled[key] = fresh
                if let old, old.entryKey != fresh.entryKey { changes[old.entryKey] = .removed }
                changes[fresh.entryKey] = fresh.change
            }
            var snapshot: ConfigSnapshot
            if let published = state.published {
                snapshot = published.applying(version: version, changes: changes, touched: dirty)
                // Nothing a reader could see changed (a wake-up with nothing new, or only
                // status written back): no new version, so caches keyed by it stay valid.
                if snapshot.changes?.keys.isEmpty == true, !state.everything { return nil }
            } else {
                snapshot = Self.build(version: version, from: state.compiled.values)
            }
            if state.everything {
                snapshot = snapshot.reportingEverythingChanged()
                state.everything = false
            }
            state.published = snapshot
            return (snapshot, state.objects)
        }
    }

    /// A snapshot of every cached object, from scratch.
    private static func build(version: Int, from compiled: some Sequence<Compiled>) -> ConfigSnapshot {
        var valid: [(result: Result<CompiledMapping, MappingDecodingError>, mapping: MetricMapping, origin: String?)] = []
        var invalid: [(key: MappingKey, problems: [FieldProblem], origin: String?)] = []
        for entry in compiled {
            switch entry.change {
            case .compiled(let result, let mapping, let origin): valid.append((result, mapping, origin))
            case .invalid(let problems, let origin): invalid.append((entry.entryKey, problems, origin))
            case .removed: break
            }
        }
        return ConfigSnapshot.build(version: version, compiled: valid, invalid: invalid)
    }

    private static func compile(_ object: JSONValue, key: MappingKey, resourceVersion: String?) -> Compiled {
        switch MappingDecoder.decode(object, defaultNamespace: nil) {
        case .success(let mapping):
            return Compiled(
                resourceVersion: resourceVersion, entryKey: mapping.key,
                change: .compiled(CompiledMapping.compile(mapping), mapping: mapping, origin: nil))
        case .failure(let error):
            return Compiled(
                resourceVersion: resourceVersion, entryKey: key, change: .invalid(problems: error.problems, origin: nil))
        }
    }

    static func key(of object: JSONValue, kind: MappingKind) -> MappingKey? {
        guard let name = object["metadata"]?["name"]?.stringValue else { return nil }
        return MappingKey(kind: kind, namespace: object["metadata"]?["namespace"]?.stringValue, name: name)
    }
}
