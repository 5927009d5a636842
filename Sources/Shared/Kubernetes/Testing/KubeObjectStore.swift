import Foundation

/// One kind the test API server serves.
public struct KubeTestResource: Sendable, Hashable {
    public var gvr: KubeGVR
    public var kind: String
    /// Whether `status` is a subresource: main writes keep the old status, status writes
    /// change only `.status`, and create drops the status.
    public var hasStatusSubresource: Bool

    public init(gvr: KubeGVR, kind: String, hasStatusSubresource: Bool) {
        self.gvr = gvr
        self.kind = kind
        self.hasStatusSubresource = hasStatusSubresource
    }

    /// The mapping kinds, leases, events and configmaps.
    public static let defaults: [KubeTestResource] = [
        KubeTestResource(gvr: .sysdigMetricMappings, kind: MappingKind.namespaced.rawValue, hasStatusSubresource: true),
        KubeTestResource(gvr: .clusterSysdigMetricMappings, kind: MappingKind.cluster.rawValue, hasStatusSubresource: true),
        KubeTestResource(gvr: .leases, kind: "Lease", hasStatusSubresource: false),
        KubeTestResource(gvr: .events, kind: "Event", hasStatusSubresource: false),
        KubeTestResource(gvr: .configMaps, kind: "ConfigMap", hasStatusSubresource: false),
    ]
}

/// Identity of a stored object; `namespace` is empty for cluster-scoped objects.
public struct KubeStoreKey: Sendable, Hashable, Comparable {
    public var resource: KubeGVR
    public var namespace: String
    public var name: String

    public static func < (lhs: KubeStoreKey, rhs: KubeStoreKey) -> Bool {
        (lhs.resource.description, lhs.namespace, lhs.name) < (rhs.resource.description, rhs.namespace, rhs.name)
    }
}

/// The versioned object store behind `KubeAPITestServer`: a global resourceVersion
/// counter, objects keyed by resource/namespace/name, and the change history that
/// watches replay and paged lists read consistent snapshots from, until compacted.
struct KubeObjectStore: Sendable {
    struct Change: Sendable {
        var version: Int
        var type: WatchEvent.EventType
        var key: KubeStoreKey
        /// The new state (for DELETED: the last state, stamped with the deletion's version).
        var object: JSONValue
        /// The state before, nil for ADDED.
        var previous: JSONValue?
    }

    var objects: [KubeStoreKey: JSONValue] = [:]
    /// The last resourceVersion handed out.
    var version = 1
    /// History holds every change with a version above this.
    var compactedVersion = 1
    var history: [Change] = []
    var uidCounter = 0

    mutating func nextVersion() -> Int {
        version += 1
        return version
    }

    mutating func record(_ change: Change) {
        history.append(change)
    }

    /// Drops the history: watches and continue tokens from before now get 410.
    mutating func compact() {
        history.removeAll()
        compactedVersion = version
    }

    /// Matching objects as of `asOf` (nil: now), sorted by namespace and name.
    /// - Throws: 410 Expired when `asOf` is older than the compacted history.
    func snapshot(_ resource: KubeGVR, namespace: String?, asOf: Int?) throws(KubeTestStatus) -> [(KubeStoreKey, JSONValue)] {
        var state = objects.filter { $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace) }
        if let asOf, asOf < version {
            guard asOf >= compactedVersion else {
                throw .expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new "
                        + "list without the continue parameter, or use the continue token in this response to retrieve the "
                        + "remainder of the results. Continuing with the provided token results in an inconsistent list - "
                        + "objects that were created, modified, or deleted between the time the first chunk was returned "
                        + "and now may show up in the list.")
            }
            for change in history.reversed() where change.version > asOf {
                guard change.key.resource == resource, namespace == nil || change.key.namespace == namespace else { continue }
                state[change.key] = change.previous
            }
        }
        return state.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The changes after `version` for a watch, or 410 when they were compacted away.
    func changes(after start: Int, resource: KubeGVR, namespace: String?) throws(KubeTestStatus) -> [Change] {
        guard start >= compactedVersion else {
            throw .expired("too old resource version: \(start) (\(compactedVersion))")
        }
        return history.filter {
            $0.version > start && $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace)
        }
    }

    mutating func makeUID() -> String {
        uidCounter += 1
        let suffix = String(uidCounter, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - suffix.count)) + suffix
    }
}

extension JSONValue {
    /// `metadata.resourceVersion` as the store's integer, if it is one.
    var storeVersion: Int? { self["metadata"]?["resourceVersion"]?.stringValue.flatMap { Int($0) } }

    /// Everything but `metadata`, `status`, `apiVersion` and `kind`: what bumps `generation`.
    var specContent: JSONValue {
        guard case .object(var fields) = self else { return self }
        for key in ["metadata", "status", "apiVersion", "kind"] { fields.removeValue(forKey: key) }
        return .object(fields)
    }

    /// This object without `metadata.resourceVersion` (for no-op detection).
    var withoutVersion: JSONValue { setting(["metadata", "resourceVersion"], to: nil) }
}
