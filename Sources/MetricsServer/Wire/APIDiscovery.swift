/// `metav1.APIResource`, one entry of a discovery document (docs/metrics-api.md, "Discovery documents").
public struct APIResource: GoJSONEncodable, Hashable {
    /// `<group-qualified resource>/<metric>`, e.g. `pods/http_requests`.
    public var name: String
    /// Always emitted, usually `""`.
    public var singularName: String
    public var namespaced: Bool
    /// Omitted when nil or empty.
    public var group: String?
    /// Omitted when nil or empty.
    public var version: String?
    public var kind: String
    public var verbs: [String]
    /// Omitted when nil or empty.
    public var shortNames: [String]?
    /// Omitted when nil or empty.
    public var categories: [String]?

    /// Creates a resource entry; defaults fit a metrics resource (`verbs: ["get"]`).
    public init(
        name: String, singularName: String = "", namespaced: Bool, group: String? = nil,
        version: String? = nil, kind: String, verbs: [String] = ["get"],
        shortNames: [String]? = nil, categories: [String]? = nil
    ) {
        self.name = name
        self.singularName = singularName
        self.namespaced = namespaced
        self.group = group
        self.version = version
        self.kind = kind
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
    }

    /// Fields in Go order: `name, singularName, namespaced, group?, version?, kind, verbs, shortNames?, categories?`.
    public var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.add("name", .string(name))
        object.add("singularName", .string(singularName))
        object.add("namespaced", .bool(namespaced))
        object.addOmitEmpty("group", group)
        object.addOmitEmpty("version", version)
        object.add("kind", .string(kind))
        object.add("verbs", .array(verbs.map(GoJSON.string)))
        object.addOmitEmpty("shortNames", shortNames)
        object.addOmitEmpty("categories", categories)
        return object.object
    }
}

/// `metav1.APIResourceList`, the answer to `GET /apis/{group}/{version}`.
public struct APIResourceList: GoJSONEncodable, Hashable {
    /// `group/version`, e.g. `custom.metrics.k8s.io/v1beta1`.
    public var groupVersion: String
    /// Never send an empty list (client-go logs on every call); see docs/metrics-api.md,
    /// "Discovery documents".
    public var resources: [APIResource]

    /// Creates a resource list.
    public init(groupVersion: String, resources: [APIResource]) {
        self.groupVersion = groupVersion
        self.resources = resources
    }

    /// `kind, apiVersion "v1", groupVersion, resources` (an empty list renders `[]`, never `null`).
    public var goJSON: GoJSON {
        .object([
            ("kind", .string("APIResourceList")),
            ("apiVersion", .string("v1")),
            ("groupVersion", .string(groupVersion)),
            ("resources", .array(resources.map(\.goJSON))),
        ])
    }
}

/// `metav1.GroupVersionForDiscovery`.
public struct GroupVersionForDiscovery: Sendable, Hashable {
    /// `group/version`.
    public var groupVersion: String
    /// `version` alone.
    public var version: String

    /// Creates an entry from its parts: `groupVersion = group + "/" + version`.
    public init(group: String, version: String) {
        self.groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        self.version = version
    }

    var goJSON: GoJSON {
        .object([("groupVersion", .string(groupVersion)), ("version", .string(version))])
    }
}

/// `metav1.APIGroup`, the answer to `GET /apis/{group}` and an entry of `/apis`.
public struct APIGroup: GoJSONEncodable, Hashable {
    public var name: String
    /// Preferred first.
    public var versions: [GroupVersionForDiscovery]
    /// Usually `versions.first`.
    public var preferredVersion: GroupVersionForDiscovery?

    /// Creates a group; `preferredVersion` defaults to the first version.
    public init(name: String, versions: [String], preferredVersion: String? = nil) {
        self.name = name
        self.versions = versions.map { GroupVersionForDiscovery(group: name, version: $0) }
        let preferred = preferredVersion ?? versions.first
        self.preferredVersion = preferred.map { GroupVersionForDiscovery(group: name, version: $0) }
    }

    /// As a standalone document: with `kind: APIGroup, apiVersion: v1`.
    public var goJSON: GoJSON { render(withTypeMeta: true) }

    /// Inside an `APIGroupList` the Go server omits kind/apiVersion.
    func render(withTypeMeta: Bool) -> GoJSON {
        var object = GoJSONObjectBuilder()
        if withTypeMeta {
            object.add("kind", .string("APIGroup"))
            object.add("apiVersion", .string("v1"))
        }
        object.add("name", .string(name))
        object.add("versions", .array(versions.map(\.goJSON)))
        if let preferredVersion { object.add("preferredVersion", preferredVersion.goJSON) }
        return object.object
    }
}

/// `metav1.APIGroupList`, the answer to `GET /apis`.
public struct APIGroupList: GoJSONEncodable, Hashable {
    public var groups: [APIGroup]

    /// Creates a group list.
    public init(groups: [APIGroup]) {
        self.groups = groups
    }

    /// `kind, apiVersion "v1", groups` with the groups rendered without their own type meta.
    public var goJSON: GoJSON {
        .object([
            ("kind", .string("APIGroupList")),
            ("apiVersion", .string("v1")),
            ("groups", .array(groups.map { $0.render(withTypeMeta: false) })),
        ])
    }
}
