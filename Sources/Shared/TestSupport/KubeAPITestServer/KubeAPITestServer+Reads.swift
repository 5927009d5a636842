import Foundation
import Shared

extension KubeAPITestServer {
    /// One page of a list, with a continue token that pins the list's resourceVersion.
    func list(
        _ resource: KubeTestResource, namespace: String?, limit: Int?, continueToken: String?, selector: LabelSelector?
    ) throws(KubeTestStatus) -> JSONValue {
        var listVersion: Int?
        var after: (String, String)?
        if let continueToken, !continueToken.isEmpty {
            guard let decoded = Data(base64Encoded: continueToken).flatMap({ String(data: $0, encoding: .utf8) }) else {
                throw .badRequest("continue key is not valid: illegal base64 data")
            }
            let parts = decoded.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let version = Int(parts[0]) else { throw .badRequest("continue key is not valid") }
            listVersion = version
            after = (parts[1], parts[2])
        }
        let (items, version) = try state.withLock { state throws(KubeTestStatus) in
            let version = listVersion ?? state.store.version
            let items = try state.store.snapshot(resource.gvr, namespace: namespace, asOf: version)
            return (items, version)
        }
        var remaining = items.filter { key, object in
            if let after, (key.namespace, key.name) <= after { return false }
            guard let selector else { return true }
            let labels = (object["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            return selector.matches(labels)
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(version))]
        if let limit, limit > 0, remaining.count > limit {
            let page = Array(remaining.prefix(limit))
            let last = page[page.count - 1].0
            let token = Data("\(version)|\(last.namespace)|\(last.name)".utf8).base64EncodedString()
            metadata["continue"] = .string(token)
            metadata["remainingItemCount"] = .number(Double(remaining.count - limit))
            remaining = page
        }
        return .object([
            "apiVersion": .string(resource.gvr.groupVersion), "kind": .string(resource.kind + "List"),
            "metadata": .object(metadata), "items": .array(remaining.map(\.1)),
        ])
    }

    /// Registers a watch and queues its first events: synthetic ADDED for every object
    /// when `resourceVersion` is unset or "0", else the history after it (or 410).
    func openWatch(
        _ resource: KubeTestResource, namespace: String?, resourceVersion: String?, selector: LabelSelector?,
        bookmarks: Bool
    ) throws(KubeTestStatus) -> KubeTestWatch {
        let watch = KubeTestWatch(
            resource: resource.gvr, kind: resource.kind, namespace: namespace, selector: selector, bookmarks: bookmarks)
        try state.withLock { state throws(KubeTestStatus) in
            var initial: [WatchEvent]
            if let resourceVersion, !resourceVersion.isEmpty, resourceVersion != "0" {
                guard let start = Int(resourceVersion) else {
                    throw .badRequest("invalid resource version: \(resourceVersion)")
                }
                do throws(KubeTestStatus) {
                    initial = try state.store.changes(after: start, resource: resource.gvr, namespace: namespace)
                        .filter { watch.matches($0.key, $0.object) }
                        .map { WatchEvent(type: $0.type, object: $0.object) }
                } catch {
                    guard state.expiredWatchMode == .errorEvent else { throw error }
                    watch.send([WatchEvent(type: .error, object: error.json)])
                    watch.close()
                    return
                }
            } else {
                initial = try state.store.snapshot(resource.gvr, namespace: namespace, asOf: nil)
                    .filter { watch.matches($0.0, $0.1) }
                    .map { WatchEvent(type: .added, object: $0.1) }
            }
            watch.send(initial)
            state.watches[ObjectIdentifier(watch)] = watch
        }
        notifyWaiters()
        return watch
    }

    func closeWatch(_ watch: KubeTestWatch) {
        watch.close()
        let removed = state.withLock { $0.watches.removeValue(forKey: ObjectIdentifier(watch)) != nil }
        if removed { notifyWaiters() }
    }

    var watchChunkSize: Int? { state.withLock { $0.watchChunkSize } }

    /// Records the request; returns the fault to answer with, if one is queued for it.
    func admit(_ request: Request, uri: String) -> Fault? {
        let fault = state.withLock { state -> Fault? in
            state.requests.append(request)
            guard let index = state.faults.firstIndex(where: { fault in
                fault.pathContains.map { uri.contains($0) } ?? true
            }) else { return nil }
            let fault = state.faults[index]
            state.faults[index].remaining -= 1
            if state.faults[index].remaining <= 0 { state.faults.remove(at: index) }
            return fault
        }
        notifyWaiters()
        return fault
    }

    var requiredToken: String? { state.withLock { $0.requiredToken } }
}
