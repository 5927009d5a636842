import Logging
import Shared

/// Lists and watches one mapping kind across all namespaces, like client-go's
/// reflector (PROTOCOL.md C3): list, then watch from the list's resourceVersion
/// with bookmarks; resume from the last seen resourceVersion when a watch ends;
/// relist on 410 Gone (the caller reconciles the difference, so deletions missed
/// while disconnected are applied); back off with jitter on errors.
struct MappingWatcher: Sendable {
    /// What the watcher reports.
    enum Update: Sendable {
        /// A full list: the complete current set of objects of this kind.
        case replaced(MappingKind, [JSONValue])
        /// One change.
        case event(MappingKind, WatchEvent)
    }

    let api: any KubernetesAPI
    let kind: MappingKind
    let pageSize: Int
    let sleep: Sleeper
    let logger: Logger
    let onUpdate: @Sendable (Update) -> Void
    /// Called for each relist and each watch restart (self-metrics).
    var onRestart: @Sendable (_ relist: Bool) -> Void = { _ in }

    /// Runs until the task is cancelled.
    func run() async {
        let resource = KubeGVR.mappings(kind)
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
                    let (items, version) = try await listAll(resource)
                    onUpdate(.replaced(kind, items))
                    lastResourceVersion = version
                    needsList = false
                    listedWithoutProgress = true
                }
                onRestart(false)
                let stream = try await api.watch(
                    resource, namespace: nil,
                    options: WatchOptions(
                        resourceVersion: lastResourceVersion, allowWatchBookmarks: true,
                        timeoutSeconds: Int.random(in: 300...600)))
                var received = false
                for try await event in stream {
                    switch event.type {
                    case .error:
                        throw Self.error(from: event.object)
                    case .bookmark:
                        lastResourceVersion = event.resourceVersion ?? lastResourceVersion
                    case .added, .modified, .deleted:
                        onUpdate(.event(kind, event))
                        lastResourceVersion = event.resourceVersion ?? lastResourceVersion
                    }
                    received = true
                    listedWithoutProgress = false
                }
                listedWithoutProgress = false  // the watch ran its course
                if received {
                    backoff.reset()
                } else {
                    // An empty watch that ends at once counts as an error: never a tight loop.
                    try await sleep(backoff.next())
                }
            } catch let error as KubeAPIError where error.code == .gone {
                logger.info("Watch expired; relisting", metadata: ["mapping.kind": "\(kind.rawValue)"])
                needsList = true
                if listedWithoutProgress {
                    // Expired straight after a list: never a tight list/watch loop.
                    do { try await sleep(backoff.next()) } catch { return }
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }  // shutting down: the error is the cancellation
                let wait = (error as? KubeAPIError)?.retryAfter ?? backoff.next()
                logger.warning("Watching mappings failed; retrying", metadata: [
                    "mapping.kind": "\(kind.rawValue)", "error": "\(error)", "retry.after": "\(wait)",
                ])
                do { try await sleep(wait) } catch { return }
            }
        }
    }

    /// Lists every page; restarts from scratch when a continue token expires.
    private func listAll(_ resource: KubeGVR) async throws -> ([JSONValue], String) {
        var items: [JSONValue] = []
        var continueToken: String?
        while true {
            let page: KubeObjectList
            do {
                page = try await api.list(
                    resource, namespace: nil, options: ListOptions(limit: pageSize, continueToken: continueToken))
            } catch let error as KubeAPIError where error.code == .gone && continueToken != nil {
                items = []
                continueToken = nil
                continue
            }
            items += page.items
            guard let next = page.continueToken, !next.isEmpty else { return (items, page.resourceVersion) }
            continueToken = next
        }
    }

    /// A watch ERROR event's Status as a typed error (410 → `.gone`).
    static func error(from status: JSONValue) -> KubeAPIError {
        let code: Int? = {
            if case .number(let value) = status["code"] { return Int(value) }
            return nil
        }()
        let message = status["message"]?.stringValue ?? "watch error"
        if code == 410 || status["reason"]?.stringValue == "Expired" || status["reason"]?.stringValue == "Gone" {
            return KubeAPIError(code: .gone, message: message, httpStatus: 410)
        }
        return KubeAPIError(code: .serverError, message: message, httpStatus: code)
    }
}
