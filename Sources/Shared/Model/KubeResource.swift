/// A Kubernetes resource an alias can describe, identified the way the custom
/// metrics API names it: lowercase plural plus group (`deployments.apps`; core
/// resources have no group).
public struct KubeResource: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Lowercase plural, e.g. `deployments`.
    public let resource: String
    /// API group, `""` for core.
    public let group: String
    /// Kind of the described objects, e.g. `Deployment`.
    public let kind: String
    /// API version used in `describedObject.apiVersion`.
    public let version: String
    /// False for cluster-scoped resources (nodes, namespaces).
    public let namespaced: Bool
    /// The Sysdig label that names one object of this resource, when we know it.
    public let defaultSysdigLabel: String?

    /// `resource` or `resource.group`, as in API paths and discovery.
    public var groupResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    public var description: String { groupResource }

    /// `group/version`, or `/version` for core objects: exactly what the Go helper
    /// writes into `describedObject.apiVersion` (docs/metrics-api.md,
    /// "Custom metric values (v1beta1 and v1beta2)").
    public var describedAPIVersion: String { "\(group)/\(version)" }

    public static func < (lhs: KubeResource, rhs: KubeResource) -> Bool {
        lhs.groupResource < rhs.groupResource
    }

    /// Resources whose group, kind, scope and Sysdig label we know.
    public static let known: [KubeResource] = [
        .init(resource: "pods", group: "", kind: "Pod", version: "v1", namespaced: true,
              defaultSysdigLabel: "kubernetes.pod.name"),
        .init(resource: "services", group: "", kind: "Service", version: "v1", namespaced: true,
              defaultSysdigLabel: "kubernetes.service.name"),
        .init(resource: "namespaces", group: "", kind: "Namespace", version: "v1", namespaced: false,
              defaultSysdigLabel: "kubernetes.namespace.name"),
        .init(resource: "nodes", group: "", kind: "Node", version: "v1", namespaced: false,
              defaultSysdigLabel: "kubernetes.node.name"),
        .init(resource: "deployments", group: "apps", kind: "Deployment", version: "v1", namespaced: true,
              defaultSysdigLabel: "kubernetes.deployment.name"),
        .init(resource: "statefulsets", group: "apps", kind: "StatefulSet", version: "v1", namespaced: true,
              defaultSysdigLabel: "kubernetes.statefulSet.name"),
        .init(resource: "daemonsets", group: "apps", kind: "DaemonSet", version: "v1", namespaced: true,
              defaultSysdigLabel: "kubernetes.daemonSet.name"),
        .init(resource: "replicasets", group: "apps", kind: "ReplicaSet", version: "v1", namespaced: true,
              defaultSysdigLabel: "kubernetes.replicaSet.name"),
        .init(resource: "jobs", group: "batch", kind: "Job", version: "v1", namespaced: true,
              defaultSysdigLabel: "kubernetes.job.name"),
    ]

    /// Looks a resource up as a mapping or an API path names it: `deployments`,
    /// `deployments.apps`, `pods`. Unknown `resource.group` names give a namespaced
    /// resource without a default label; unknown bare names give nil.
    public static func lookup(_ name: String) -> KubeResource? {
        let lowered = name.lowercased()
        if let known = known.first(where: { $0.groupResource == lowered || $0.resource == lowered }) {
            return known
        }
        guard let dot = lowered.firstIndex(of: "."), dot != lowered.startIndex else { return nil }
        let resource = String(lowered[..<dot])
        let group = String(lowered[lowered.index(after: dot)...])
        guard !group.isEmpty, isDNSLabel(resource), group.split(separator: ".", omittingEmptySubsequences: false)
            .allSatisfy({ isDNSLabel(String($0)) })
        else { return nil }
        return KubeResource(
            resource: resource, group: group, kind: guessKind(resource), version: "v1",
            namespaced: true, defaultSysdigLabel: nil)
    }

    /// Kind guessed from a plural for resources we do not know (`rollouts` → `Rollout`).
    static func guessKind(_ plural: String) -> String {
        var singular = plural
        if singular.hasSuffix("ies") {
            singular = String(singular.dropLast(3)) + "y"
        } else if singular.hasSuffix("s") {
            singular = String(singular.dropLast())
        }
        return singular.prefix(1).uppercased() + singular.dropFirst()
    }

    static func isDNSLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 63, let first = text.first, let last = text.last else { return false }
        let allowed = text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        return allowed && first != "-" && last != "-"
    }
}
