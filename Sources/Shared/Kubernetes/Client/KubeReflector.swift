import Logging

/// Lists and watches one resource, as client-go's reflector does (docs/kubernetes-api.md):
/// list, then watch from the list's resourceVersion with bookmarks; when an established
/// watch ends or its connection is cut, watch again **at once** from the last
/// resourceVersion seen; relist on 410 Gone (the consumer replaces its state, so
/// deletions missed while disconnected are applied).
///
/// Backoff (0.8 s doubling to 30 s, +100 % jitter) applies only to failed calls: a list
/// or watch request that is refused, throttled (429, honouring Retry-After) or answered
/// with a 5xx, a watch that ends within `shortWatch` without delivering anything (never a
/// tight loop), and a watch that expires straight after a fresh list. It starts again
/// from 0.8 s after every successful list, every watch that delivers an event, and
/// after two minutes without a backoff.
public struct KubeReflector: Sendable {
    /// What the reflector reports.
    public enum Update: Sendable {
        /// A full list: the complete current set of objects.
        case replaced([JSONValue])
        /// One change (ADDED, MODIFIED or DELETED).
        case event(WatchEvent)
    }

    let api: any KubernetesAPI
    let resource: KubeGVR
    let namespace: String?
    let labelSelector: String?
    let pageSize: Int
    let sleep: Sleeper
    let now: InstantSource
    let logger: Logger
    let onUpdate: @Sendable (Update) -> Void
    /// Called for each relist (`true`) and each watch (re)start (`false`), for self-metrics.
    public var onRestart: @Sendable (_ relist: Bool) -> Void = { _ in }
    /// A watch ending sooner than this with no event counts as a failure (client-go: 1 s).
    public var shortWatch: Duration = .seconds(1)

    public init(
        api: any KubernetesAPI, resource: KubeGVR, namespace: String? = nil, labelSelector: String? = nil,
        pageSize: Int = 500, sleep: @escaping Sleeper = Sleepers.real, now: @escaping InstantSource = { .now },
        logger: Logger, onUpdate: @escaping @Sendable (Update) -> Void
    ) {
        self.api = api
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.pageSize = pageSize
        self.sleep = sleep
        self.now = now
        self.logger = logger
        self.onUpdate = onUpdate
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var lastResourceVersion: String?
        var needsList = true
        // True from a list until the watch after it delivers something: a 410 then means
        // the fresh list's version expired at once, so relisting must back off.
        var listedWithoutProgress = false
        var backoff = Backoff()
        while !Task.isCancelled {
            do {
                if needsList {
                    onRestart(true)
                    let list = try await api.listAll(
                        resource, namespace: namespace, options: ListOptions(labelSelector: labelSelector),
                        pageSize: pageSize)
                    onUpdate(.replaced(list.items))
                    lastResourceVersion = list.resourceVersion
                    needsList = false
                    listedWithoutProgress = true
                    backoff.reset()
                }
                onRestart(false)
                let started = now()
                let stream = try await api.watch(
                    resource, namespace: namespace,
                    options: WatchOptions(
                        resourceVersion: lastResourceVersion, allowWatchBookmarks: true,
                        timeoutSeconds: Int.random(in: 300...600), labelSelector: labelSelector))
                var received = false
                do {
                    for try await event in stream {
                        switch event.type {
                        case .error:
                            throw KubeAPIError(status: event.object)
                        case .bookmark:
                            lastResourceVersion = event.resourceVersion ?? lastResourceVersion
                        case .added, .modified, .deleted:
                            onUpdate(.event(event))
                            lastResourceVersion = event.resourceVersion ?? lastResourceVersion
                        }
                        if !received { backoff.reset() }
                        received = true
                        listedWithoutProgress = false
                    }
                } catch let error as KubeAPIError where error.code == .transport || error.code == .timeout {
                    // The connection was cut (an API server restart, an idle load balancer):
                    // the watch was established, so it ends like one the server closed.
                    if Task.isCancelled { return }
                    logger.debug("Watch connection ended", metadata: ["k8s.resource": "\(resource)", "error": "\(error)"])
                }
                if Task.isCancelled { return }
                listedWithoutProgress = false  // the watch ran its course
                if !received, now() - started < shortWatch {
                    // An empty watch that ends at once counts as an error: never a tight loop.
                    try await sleep(backoff.next(now: now()))
                }
            } catch let error as KubeAPIError where error.code == .gone {
                logger.info("Watch expired; relisting", metadata: ["k8s.resource": "\(resource)"])
                needsList = true
                if listedWithoutProgress {
                    // Expired straight after a list: never a tight list/watch loop.
                    do { try await sleep(backoff.next(now: now())) } catch { return }
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }  // shutting down: the error is the cancellation
                let wait = (error as? KubeAPIError)?.retryAfter ?? backoff.next(now: now())
                logger.warning("Listing or watching failed; retrying", metadata: [
                    "k8s.resource": "\(resource)", "error": "\(error)", "retry.after": "\(wait)",
                ])
                do { try await sleep(wait) } catch { return }
            }
        }
    }
}
