import Foundation
import Shared

/// One kind the test API server serves.
public struct KubeTestResource: Sendable, Hashable {
    public var gvr: KubeGVR
    public var kind: String
    /// Whether `status` is a subresource: main writes keep the old status, status writes
    /// change only `.status`, and create drops the status.
    public var hasStatusSubresource: Bool
    /// The CRD schema every write is pruned and validated against, as the API server does
    /// (`KubeCRDSchema`); nil stores objects as sent. A failure (the CRD could not be
    /// loaded) answers every write of the resource with a 500 saying why.
    public var schema: Result<KubeCRDSchema, KubeCRDSchemaError>?

    public init(
        gvr: KubeGVR, kind: String, hasStatusSubresource: Bool, schema: Result<KubeCRDSchema, KubeCRDSchemaError>? = nil
    ) {
        self.gvr = gvr
        self.kind = kind
        self.hasStatusSubresource = hasStatusSubresource
        self.schema = schema
    }

    /// The mapping kinds (enforcing the CRDs of this repository's `crds/`), leases,
    /// events, configmaps and pods.
    public static let defaults: [KubeTestResource] = [
        mappings(.namespaced, schema: KubeCRDSchema.shipped(.namespaced)),
        mappings(.cluster, schema: KubeCRDSchema.shipped(.cluster)),
    ] + builtIn

    /// `defaults` with the mapping kinds enforcing `schemas` (e.g. `KubeCRDSchema.load(directory:)`).
    public static func defaults(schemas: [KubeCRDSchema]) -> [KubeTestResource] {
        MappingKind.allCases.map { kind in
            guard let schema = schemas.first(where: { $0.kind == kind.rawValue }) else {
                let error = KubeCRDSchemaError("no schema for \(kind.rawValue) was given to KubeTestResource.defaults(schemas:)")
                return mappings(kind, schema: .failure(error))
            }
            return mappings(kind, schema: .success(schema))
        } + builtIn
    }

    /// `defaults` without schema enforcement: mapping objects are stored as sent, for tests
    /// that must store what the CRDs would refuse.
    public static let withoutSchemas: [KubeTestResource] = MappingKind.allCases.map { mappings($0, schema: nil) } + builtIn

    private static let builtIn: [KubeTestResource] = [
        KubeTestResource(gvr: .leases, kind: "Lease", hasStatusSubresource: false),
        KubeTestResource(gvr: .events, kind: "Event", hasStatusSubresource: false),
        KubeTestResource(gvr: .configMaps, kind: "ConfigMap", hasStatusSubresource: false),
        // Status set directly by tests (no kubelet here to write it).
        KubeTestResource(gvr: .pods, kind: "Pod", hasStatusSubresource: false),
    ]

    private static func mappings(
        _ kind: MappingKind, schema: Result<KubeCRDSchema, KubeCRDSchemaError>?
    ) -> KubeTestResource {
        KubeTestResource(gvr: .mappings(kind), kind: kind.rawValue, hasStatusSubresource: true, schema: schema)
    }
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
