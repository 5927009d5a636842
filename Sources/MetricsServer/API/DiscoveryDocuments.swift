import Shared

/// Discovery documents built from the config store: only configured aliases are
/// listed, never Sysdig's catalogue (docs/metrics-api.md, "Discovery documents").
enum DiscoveryDocuments {
    /// Listed when nothing is configured: an empty `resources` list makes client-go
    /// log "Got empty response" on every kubectl call.
    static let placeholderName = "no-sysdig-metric-mappings"

    static func groupList() -> APIGroupList {
        APIGroupList(groups: [customGroup(), externalGroup()])
    }

    static func group(named name: String) -> APIGroup? {
        switch name {
        case APIPath.customGroup: customGroup()
        case APIPath.externalGroup: externalGroup()
        default: nil
        }
    }

    static func customGroup() -> APIGroup {
        APIGroup(
            name: APIPath.customGroup, versions: ["v1beta2", "v1beta1"], preferredVersion: "v1beta2")
    }

    static func externalGroup() -> APIGroup {
        APIGroup(name: APIPath.externalGroup, versions: ["v1beta1"], preferredVersion: "v1beta1")
    }

    static func resourceList(_ version: MetricsAPIVersion, snapshot: ConfigSnapshot) -> APIResourceList {
        var resources: [String: APIResource] = [:]
        for mapping in snapshot.readyMappings {
            if version.isExternal {
                guard mapping.spec.external else { continue }
                resources[mapping.alias] = resource(mapping.alias, namespaced: true, kind: "ExternalMetricValueList")
            } else {
                for target in mapping.targets {
                    let name = "\(target.resource.groupResource)/\(mapping.alias)"
                    resources[name] = resource(name, namespaced: target.resource.namespaced, kind: "MetricValueList")
                }
            }
        }
        if resources.isEmpty {
            let kind = version.isExternal ? "ExternalMetricValueList" : "MetricValueList"
            resources[placeholderName] = resource(placeholderName, namespaced: true, kind: kind)
        }
        return APIResourceList(
            groupVersion: version.rawValue, resources: resources.keys.sorted().compactMap { resources[$0] })
    }

    private static func resource(_ name: String, namespaced: Bool, kind: String) -> APIResource {
        APIResource(name: name, singularName: "", namespaced: namespaced, kind: kind, verbs: ["get"])
    }
}
