import Foundation
import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Lease-based leader election (`coordination.k8s.io/v1`), following client-go's
/// leaderelection (docs/kubernetes-api.md, "Leader election with a Lease"). Every
/// replica serves; only the leader writes status and events. The lease is released on
/// graceful shutdown so another replica takes over at once.
public final class LeaderElector: Service, Sendable {
    public struct Configuration: Sendable {
        public var namespace: String
        public var name = "sysdig-adapter"
        public var identity: String
        public var leaseDuration: Duration = .seconds(15)
        public var renewDeadline: Duration = .seconds(10)
        public var retryPeriod: Duration = .seconds(2)

        public init(namespace: String, identity: String) {
            self.namespace = namespace
            self.identity = identity
        }
    }

    private struct State: Sendable {
        var leading = false
        var observedSpec: JSONValue?
        /// The lease as our last successful write returned it (with its resourceVersion):
        /// the leader renews from it without reading first.
        var ownLease: JSONValue?
        var observedTime: ContinuousClock.Instant?
        var lastRenew: ContinuousClock.Instant?
        var transitions = 0
    }

    private let api: any KubernetesAPI
    private let configuration: Configuration
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant
    private let wallClock: @Sendable () -> Date
    private let sleep: Sleeper
    private let state = Mutex(State())
    private let onChange: @Sendable (Bool) -> Void

    public init(
        api: any KubernetesAPI, configuration: Configuration, logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        wallClock: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping Sleeper = Sleepers.real,
        onChange: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        self.api = api
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.wallClock = wallClock
        self.sleep = sleep
        self.onChange = onChange
    }

    /// True while this replica holds the lease.
    public var isLeader: Bool { state.withLock { $0.leading } }

    /// Campaigns and renews until graceful shutdown or cancellation, then releases the lease.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.electionLoop() }
        // A fresh task does not inherit cancellation: the release must go out even when
        // this task was cancelled rather than shut down gracefully.
        await Task { await self.release() }.value
    }

    private func electionLoop() async {
        while !Task.isCancelled {
            let succeeded = await tryAcquireOrRenew()
            if !succeeded, isLeader, let last = state.withLock({ $0.lastRenew }),
                now() - last > configuration.renewDeadline
            {
                setLeading(false)
                logger.warning("Lost the leader lease: renewal failed past the deadline")
            }
            let jitter = isLeader ? 1.0 : 1.0 + Double.random(in: 0..<0.2)
            do { try await sleep(configuration.retryPeriod * jitter) } catch { return }
        }
    }

    /// One attempt; returns whether we hold the lease afterwards.
    @discardableResult
    func tryAcquireOrRenew() async -> Bool {
        let resource = KubeGVR.leases
        let instant = now()
        let stamp = EventRecorder.microTime(wallClock())
        // Fast path (as client-go): the leader renews the lease it last wrote, one
        // conditional PUT and no GET. A 409 or any other failure falls back to reading.
        if let own = state.withLock({ $0.leading ? $0.ownLease : nil }), case .object(var object) = own {
            object["spec"] = renewedSpec(from: own["spec"] ?? .object([:]), stamp: stamp)
            do {
                let updated = try await api.update(
                    resource, namespace: configuration.namespace, name: configuration.name, object: .object(object))
                recordSuccess(lease: updated, instant: instant)
                return true
            } catch {
                state.withLock { $0.ownLease = nil }
                logger.debug("Renewing the lease from the cached copy failed; reading it", metadata: ["error": "\(error)"])
            }
        }
        let current: JSONValue
        do {
            current = try await api.get(resource, namespace: configuration.namespace, name: configuration.name)
        } catch let error as KubeAPIError where error.code == .notFound {
            return await create(stamp: stamp, instant: instant)
        } catch {
            logger.debug("Reading the lease failed", metadata: ["error": "\(error)"])
            return false
        }
        let spec = current["spec"] ?? .object([:])
        let holder = spec["holderIdentity"]?.stringValue ?? ""
        let leaseSeconds = spec["leaseDurationSeconds"].flatMap { if case .number(let v) = $0 { Int(v) } else { nil } }
            ?? Int(configuration.leaseDuration.components.seconds)
        let observedTime = state.withLock { state -> ContinuousClock.Instant in
            if state.observedSpec != spec || state.observedTime == nil {
                state.observedSpec = spec
                state.observedTime = instant
            }
            return state.observedTime ?? instant
        }
        if !holder.isEmpty, holder != configuration.identity, observedTime + .seconds(leaseSeconds) > instant {
            setLeading(false)
            return false
        }
        guard case .object(var object) = current else { return false }
        object["spec"] = renewedSpec(from: spec, stamp: stamp)
        do {
            let updated = try await api.update(resource, namespace: configuration.namespace, name: configuration.name, object: .object(object))
            recordSuccess(lease: updated, instant: instant)
            return true
        } catch {
            logger.debug("Updating the lease failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The spec we write: us as holder, renewed now; acquireTime and the transition
    /// count kept when we already held it, a new transition otherwise.
    private func renewedSpec(from spec: JSONValue, stamp: String) -> JSONValue {
        let holder = spec["holderIdentity"]?.stringValue ?? ""
        let transitions = spec["leaseTransitions"].flatMap { if case .number(let v) = $0 { Int(v) } else { nil } } ?? 0
        let keep = holder == configuration.identity
        var acquireTime = keep ? (spec["acquireTime"] ?? .string(stamp)) : .string(stamp)
        if acquireTime == .null { acquireTime = .string(stamp) }
        return .object([
            "holderIdentity": .string(configuration.identity),
            "leaseDurationSeconds": .number(Double(configuration.leaseDuration.components.seconds)),
            "renewTime": .string(stamp),
            "acquireTime": acquireTime,
            "leaseTransitions": .number(Double(keep ? transitions : transitions + 1)),
        ])
    }

    private func create(stamp: String, instant: ContinuousClock.Instant) async -> Bool {
        let spec: JSONValue = .object([
            "holderIdentity": .string(configuration.identity),
            "leaseDurationSeconds": .number(Double(configuration.leaseDuration.components.seconds)),
            "acquireTime": .string(stamp), "renewTime": .string(stamp), "leaseTransitions": .number(0),
        ])
        let lease: JSONValue = .object([
            "apiVersion": .string("coordination.k8s.io/v1"), "kind": .string("Lease"),
            "metadata": .object(["name": .string(configuration.name), "namespace": .string(configuration.namespace)]),
            "spec": spec,
        ])
        do {
            let created = try await api.create(.leases, namespace: configuration.namespace, object: lease)
            recordSuccess(lease: created, instant: instant)
            return true
        } catch {
            return false
        }
    }

    private func recordSuccess(lease: JSONValue, instant: ContinuousClock.Instant) {
        state.withLock { state in
            state.ownLease = lease
            state.observedSpec = lease["spec"]
            state.observedTime = instant
            state.lastRenew = instant
        }
        setLeading(true)
    }

    private func setLeading(_ leading: Bool) {
        let changed = state.withLock { state -> Bool in
            defer { state.leading = leading }
            return state.leading != leading
        }
        guard changed else { return }
        logger.info(leading ? "Became the leader" : "Stopped leading", metadata: ["leader.identity": "\(configuration.identity)"])
        onChange(leading)
    }

    /// Gives the lease up (holder "" and a 1 s duration) so a standby takes over at once.
    func release() async {
        guard isLeader else { return }
        setLeading(false)
        state.withLock { $0.ownLease = nil }
        do {
            var object = try await api.get(.leases, namespace: configuration.namespace, name: configuration.name)
            guard object["spec"]?["holderIdentity"]?.stringValue == configuration.identity,
                case .object(var fields) = object, case .object(var spec)? = fields["spec"]
            else { return }
            spec["holderIdentity"] = .string("")
            spec["leaseDurationSeconds"] = .number(1)
            fields["spec"] = .object(spec)
            object = .object(fields)
            _ = try await api.update(.leases, namespace: configuration.namespace, name: configuration.name, object: object)
            logger.info("Released the leader lease")
        } catch {
            logger.warning("Releasing the leader lease failed", metadata: ["error": "\(error)"])
        }
    }
}
