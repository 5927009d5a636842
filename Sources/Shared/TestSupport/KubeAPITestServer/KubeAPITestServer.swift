import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Shared

/// An in-process Kubernetes API server for tests (plain HTTP on 127.0.0.1): the two
/// mapping kinds, leases, events and configmaps with real resourceVersion, generation,
/// status-subresource, paging, watch (bookmarks, compaction, 410) and conflict semantics
/// (docs/kubernetes-api.md, "Lists", "Watches" and "Status subresource and patches";
/// docs/test-api-server.md).
///
/// Run it with `withRunning { port in ... }`, point a `KubernetesClient` at
/// `configuration(port:)`, and drive the edge cases with the test controls:
/// `disconnectAllWatches()`, `compact()`, `sendBookmarks()`, `injectFaults(...)`,
/// `requests`, and `waitUntil(_:)` to wait for a state without sleeping.
public final class KubeAPITestServer: Service, Sendable {
    /// A request as received.
    public struct Request: Sendable, Hashable {
        public var method: String
        public var path: String
        public var query: [String: String]
        /// The bearer token sent, if any.
        public var bearerToken: String?
        public var contentType: String?
    }

    /// What `waitUntil` predicates see.
    public struct Snapshot: Sendable {
        public var objects: [KubeStoreKey: JSONValue]
        public var resourceVersion: Int
        public var requests: [Request]
        public var openWatches: Int

        /// The stored object, if any.
        public func object(_ resource: KubeGVR, namespace: String? = nil, name: String) -> JSONValue? {
            objects[KubeStoreKey(resource: resource, namespace: resource.namespaced ? namespace ?? "" : "", name: name)]
        }
    }

    /// How a watch from a compacted resourceVersion is refused (both happen in real clusters).
    public enum ExpiredWatchMode: Sendable {
        /// 200, then one ERROR event carrying a 410 Expired Status (what the API server does).
        case errorEvent
        /// An HTTP 410 answer.
        case httpStatus
    }

    struct Fault: Sendable {
        var status: Int
        var retryAfter: Int?
        var remaining: Int
        var pathContains: String?
    }

    struct State {
        var store = KubeObjectStore()
        var watches: [ObjectIdentifier: KubeTestWatch] = [:]
        var faults: [Fault] = []
        var requests: [Request] = []
        var waiters: [Int: (predicate: @Sendable (Snapshot) -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextWaiterID = 0
        var requiredToken: String?
        var watchChunkSize: Int?
        var expiredWatchMode = ExpiredWatchMode.errorEvent
        var reviews = ReviewState()

        var snapshot: Snapshot {
            Snapshot(objects: store.objects, resourceVersion: store.version, requests: requests, openWatches: watches.count)
        }
    }

    let resources: [KubeTestResource]
    let now: @Sendable () -> Date
    let logger: Logger
    let state = Mutex(State())
    private let port = ListeningPort()

    /// - Parameters:
    ///   - resources: the kinds served (default: mappings, leases, events, configmaps).
    ///   - now: the clock for creationTimestamp.
    public init(
        resources: [KubeTestResource] = KubeTestResource.defaults, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = KubeAPITestServer.makeQuietLogger()
    ) {
        self.resources = resources
        self.now = now
        self.logger = logger
    }

    /// A logger that only reports warnings and worse.
    public static func makeQuietLogger() -> Logger {
        var logger = Logger(label: "kube-api-test-server")
        logger.logLevel = .warning
        return logger
    }

    /// A client configuration for this server on `port`, unlimited QPS unless given.
    public func configuration(
        port: Int, token: String? = nil, qps: Double = 0, burst: Int = 10, maxRetries: Int = 10
    ) -> KubernetesConfiguration {
        KubernetesConfiguration(
            server: "http://127.0.0.1:\(port)", token: token.map { StaticKubeToken($0) }, qps: qps, burst: burst,
            maxRetries: maxRetries, source: "kube-api-test-server")
    }

    /// Serves until cancelled or gracefully shut down.
    public func run() async throws {
        let app = Application(
            responder: KubeAPITestResponder(server: self),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { [port] channel in port.opened(channel.localAddress?.port ?? 0) },
            logger: logger)
        defer {
            disconnectAllWatches()
            port.closed(KubeAPIError(code: .transport, message: "the test server stopped"))
        }
        try await app.run()
    }

    /// The bound port, waiting until the server listens.
    public func listeningPort() async throws -> Int {
        try await port.wait()
    }

    /// Runs the server for the duration of `body`, which receives the port; open watches
    /// are ended before the graceful shutdown.
    public func withRunning<T: Sendable>(_ body: (Int) async throws -> T) async throws -> T {
        try await withRunningService(self, port: port, logger: logger, beforeShutdown: disconnectAllWatches, body)
    }

    func resource(for gvr: KubeGVR) -> KubeTestResource? {
        resources.first { $0.gvr == gvr }
    }

    func resource(group: String, version: String, plural: String) -> KubeTestResource? {
        resources.first { $0.gvr.group == group && $0.gvr.version == version && $0.gvr.resource == plural }
    }
}
