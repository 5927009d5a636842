/// A Kubernetes API resource: group, version, plural, and whether it is namespaced.
public struct KubeGVR: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String
    public var namespaced: Bool

    public init(group: String, version: String, resource: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespaced = namespaced
    }

    /// `/api/v1` for core, `/apis/{group}/{version}` otherwise.
    public var apiPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }
    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }

    public static let sysdigMetricMappings = KubeGVR(
        group: MappingKind.group, version: MappingKind.version, resource: MappingKind.namespaced.plural, namespaced: true)
    public static let clusterSysdigMetricMappings = KubeGVR(
        group: MappingKind.group, version: MappingKind.version, resource: MappingKind.cluster.plural, namespaced: false)
    public static let leases = KubeGVR(group: "coordination.k8s.io", version: "v1", resource: "leases", namespaced: true)
    public static let events = KubeGVR(group: "events.k8s.io", version: "v1", resource: "events", namespaced: true)
    public static let configMaps = KubeGVR(group: "", version: "v1", resource: "configmaps", namespaced: true)
    public static let pods = KubeGVR(group: "", version: "v1", resource: "pods", namespaced: true)
    public static let tokenReviews = KubeGVR(
        group: "authentication.k8s.io", version: "v1", resource: "tokenreviews", namespaced: false)
    public static let subjectAccessReviews = KubeGVR(
        group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews", namespaced: false)

    /// The resource for a mapping kind.
    public static func mappings(_ kind: MappingKind) -> KubeGVR {
        kind == .namespaced ? sysdigMetricMappings : clusterSysdigMetricMappings
    }
}

/// Parameters of a list call (one page).
public struct ListOptions: Sendable, Hashable {
    public var limit: Int?
    public var continueToken: String?
    /// Unset: a consistent read; `"0"`: any cached version; `"N"`: not older than N.
    public var resourceVersion: String?
    public var labelSelector: String?
    public var fieldSelector: String?

    public init(
        limit: Int? = nil, continueToken: String? = nil, resourceVersion: String? = nil,
        labelSelector: String? = nil, fieldSelector: String? = nil
    ) {
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }
}

/// Parameters of a watch call.
public struct WatchOptions: Sendable, Hashable {
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool
    public var timeoutSeconds: Int?
    public var labelSelector: String?
    public var fieldSelector: String?

    public init(
        resourceVersion: String? = nil, allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil,
        labelSelector: String? = nil, fieldSelector: String? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }
}

/// One page of a list: `metadata.resourceVersion`, `metadata.continue`, and the items.
public struct KubeObjectList: Sendable, Hashable {
    public var resourceVersion: String
    /// Empty or nil when this is the last page.
    public var continueToken: String?
    public var items: [JSONValue]

    public init(resourceVersion: String, continueToken: String?, items: [JSONValue]) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.items = items
    }
}

/// One event of a watch stream (docs/kubernetes-api.md, "Watches").
public struct WatchEvent: Sendable, Hashable {
    public enum EventType: String, Sendable, Hashable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
    }

    public var type: EventType
    /// The object (for ERROR: a Status).
    public var object: JSONValue

    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }

    /// `object.metadata.resourceVersion`, present on every event but ERROR.
    public var resourceVersion: String? { object["metadata"]?["resourceVersion"]?.stringValue }
}

/// A Kubernetes API failure, typed from the Status body (docs/metrics-api.md, "Errors"; the 410 and 409
/// cases in docs/kubernetes-api.md).
public struct KubeAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        public static let notFound = Code(name: "NotFound")
        public static let conflict = Code(name: "Conflict")
        public static let alreadyExists = Code(name: "AlreadyExists")
        /// 410: a watch or list resourceVersion / continue token is too old.
        public static let gone = Code(name: "Gone")
        public static let forbidden = Code(name: "Forbidden")
        public static let unauthorized = Code(name: "Unauthorized")
        public static let invalid = Code(name: "Invalid")
        public static let badRequest = Code(name: "BadRequest")
        public static let tooManyRequests = Code(name: "TooManyRequests")
        public static let serverError = Code(name: "InternalError")
        public static let serviceUnavailable = Code(name: "ServiceUnavailable")
        public static let timeout = Code(name: "Timeout")
        /// Connection refused, reset, TLS failure.
        public static let transport = Code(name: "Transport")
        /// A response we could not understand.
        public static let badResponse = Code(name: "BadResponse")
        /// The client is misconfigured (no kubeconfig, unreadable token file...).
        public static let configuration = Code(name: "Configuration")
    }

    public var code: Code
    public var message: String
    public var httpStatus: Int?
    public var retryAfter: Duration?

    public init(code: Code, message: String, httpStatus: Int? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    public var description: String { "kubernetes \(code): \(message)" }
}

/// The seam between the operator (and delegated auth) and the Kubernetes API.
/// Objects travel as `JSONValue` so no generated types are needed; callers decode
/// what they use. The real implementation is `KubernetesClient`; tests run it
/// against `KubeAPITestServer`. Implementations throw only `KubeAPIError`.
public protocol KubernetesAPI: Sendable {
    func get(_ resource: KubeGVR, namespace: String?, name: String) async throws -> JSONValue
    /// One page; follow `continueToken` for the rest.
    func list(_ resource: KubeGVR, namespace: String?, options: ListOptions) async throws -> KubeObjectList
    /// A watch stream. It finishes when the server ends the watch; an ERROR event
    /// (e.g. 410 Expired) is delivered as an event, transport failures as a thrown error.
    func watch(_ resource: KubeGVR, namespace: String?, options: WatchOptions) async throws
        -> AsyncThrowingStream<WatchEvent, any Error>
    func create(_ resource: KubeGVR, namespace: String?, object: JSONValue) async throws -> JSONValue
    /// PUT; `object.metadata.resourceVersion` makes it conditional (409 on mismatch).
    func update(_ resource: KubeGVR, namespace: String?, name: String, object: JSONValue) async throws -> JSONValue
    /// PUT to the status subresource.
    func updateStatus(_ resource: KubeGVR, namespace: String?, name: String, object: JSONValue) async throws -> JSONValue
    /// `application/merge-patch+json` to the object or (`subresource: "status"`) its status.
    func mergePatch(_ resource: KubeGVR, namespace: String?, name: String, subresource: String?, patch: JSONValue) async throws
        -> JSONValue
    func delete(_ resource: KubeGVR, namespace: String?, name: String) async throws
}
