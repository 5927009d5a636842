import Synchronization
import Shared

/// One open watch on the test API server: a queue of events the response writer drains.
/// Everything queued since the last drain is written at once, so several events can share
/// one write (and, with a chunk size, one event can span several).
final class KubeTestWatch: Sendable {
    private struct State {
        var pending: [WatchEvent] = []
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    let resource: KubeGVR
    let kind: String
    let namespace: String?
    let selector: LabelSelector?
    let bookmarks: Bool
    private let state = Mutex(State())

    init(resource: KubeGVR, kind: String, namespace: String?, selector: LabelSelector?, bookmarks: Bool) {
        self.resource = resource
        self.kind = kind
        self.namespace = namespace
        self.selector = selector
        self.bookmarks = bookmarks
    }

    /// Whether a change to `key` with `object` belongs in this watch.
    func matches(_ key: KubeStoreKey, _ object: JSONValue) -> Bool {
        guard key.resource == resource, namespace == nil || key.namespace == namespace else { return false }
        guard let selector else { return true }
        let labels = (object["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        return selector.matches(labels)
    }

    func send(_ events: [WatchEvent]) {
        guard !events.isEmpty else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed else { return nil }
            state.pending += events
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Ends the watch after the queued events are written.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits for events; returns them with `closed` once the watch has ended.
    func next() async -> (events: [WatchEvent], closed: Bool) {
        while true {
            let ready = state.withLock { state -> (events: [WatchEvent], closed: Bool)? in
                guard !state.pending.isEmpty || state.closed else { return nil }
                defer { state.pending = [] }
                return (state.pending, state.closed)
            }
            if let ready { return ready }
            if Task.isCancelled { return ([], true) }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.pending.isEmpty || state.closed { return true }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    state.closed = true
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
        }
    }
}
