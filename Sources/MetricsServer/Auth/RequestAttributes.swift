import Foundation
import Shared

/// What a request asks to do, in the terms of Kubernetes' authorizer (`authorizer.Attributes`,
/// derived as k8s.io/apiserver's RequestInfoFactory does; docs/aggregation-layer.md,
/// "Authorization: SubjectAccessReview").
public enum RequestAttributes: Sendable, Hashable {
    /// A request on an API resource.
    case resource(ResourceAttributes)
    /// Anything else (discovery, `/openapi/v2`, `/metrics`, `/readyz/ping`...): path and lowercase method.
    case nonResource(path: String, verb: String)

    /// The resource fields of a resource request.
    public struct ResourceAttributes: Sendable, Hashable {
        public var verb: String
        public var group: String
        public var version: String
        public var resource: String
        public var subresource: String
        public var name: String
        public var namespace: String

        /// Creates attributes.
        public init(
            verb: String, group: String, version: String, resource: String,
            subresource: String = "", name: String = "", namespace: String = ""
        ) {
            self.verb = verb
            self.group = group
            self.version = version
            self.resource = resource
            self.subresource = subresource
            self.name = name
            self.namespace = namespace
        }
    }

    /// Derives the attributes of `method path?query`. Path segments are percent-decoded
    /// (the aggregator sends `*` as `%2A`), as Go's `URL.Path` is.
    public init(method: String, path: String, query: [String: String]) {
        let rawParts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let trimmed = Self.trimEmptyEnds(rawParts)
        let parts = trimmed.map { PercentDecoding.decode($0) ?? $0 }
        let nonResource = RequestAttributes.nonResource(path: path, verb: method.lowercased())
        // Only /apis/{group}/{version}/{resource}... and /api/{version}/{resource}... are resources.
        guard parts.count >= 3, let prefix = parts.first, prefix == "apis" || prefix == "api" else {
            self = nonResource
            return
        }
        var rest = Array(parts.dropFirst())
        var group = ""
        if prefix == "apis" {
            guard rest.count >= 3 else {
                self = nonResource
                return
            }
            group = rest.removeFirst()
        }
        let version = rest.removeFirst()
        var verb: String
        if let first = rest.first, first == "watch" || first == "proxy", rest.count >= 2 {
            verb = first
            rest.removeFirst()
        } else {
            switch method.uppercased() {
            case "GET", "HEAD": verb = "get"
            case "POST": verb = "create"
            case "PUT": verb = "update"
            case "PATCH": verb = "patch"
            case "DELETE": verb = "delete"
            default: verb = ""
            }
        }
        var namespace = ""
        if rest.first == "namespaces", rest.count > 1 {
            namespace = rest[1]
            if rest.count > 2, rest[2] != "status", rest[2] != "finalize" {
                rest = Array(rest.dropFirst(2))
            }
        }
        var attributes = ResourceAttributes(verb: verb, group: group, version: version, resource: rest.first ?? "", namespace: namespace)
        if rest.count >= 2 { attributes.name = rest[1] }
        if rest.count >= 3, verb != "proxy" { attributes.subresource = rest[2] }
        if attributes.name.isEmpty {
            if verb == "get" {
                attributes.verb = query["watch"] == "true" || query["watch"] == "1" ? "watch" : "list"
            } else if verb == "delete" {
                attributes.verb = "deletecollection"
            }
        }
        self = .resource(attributes)
    }

    /// Drops the empty segments a leading or trailing `/` makes (Go's `strings.Trim(path, "/")`).
    private static func trimEmptyEnds(_ parts: [String]) -> [String] {
        var slice = parts[...]
        while slice.first == "" { slice = slice.dropFirst() }
        while slice.last == "" { slice = slice.dropLast() }
        return Array(slice)
    }

    /// The `spec` fields of a SubjectAccessReview for these attributes (without the user).
    var reviewAttributes: (key: String, value: [String: String]) {
        switch self {
        case .nonResource(let path, let verb):
            return ("nonResourceAttributes", ["path": path, "verb": verb])
        case .resource(let resource):
            var fields = ["verb": resource.verb, "group": resource.group, "version": resource.version,
                          "resource": resource.resource]
            if !resource.namespace.isEmpty { fields["namespace"] = resource.namespace }
            if !resource.subresource.isEmpty { fields["subresource"] = resource.subresource }
            if !resource.name.isEmpty { fields["name"] = resource.name }
            return ("resourceAttributes", fields)
        }
    }

    /// The 403 Status the Go authorization filter writes for a refused request
    /// (docs/aggregation-layer.md, "Authorization: SubjectAccessReview").
    public func forbidden(username: String, reason: String) -> KubeStatus {
        var message: String
        let details: KubeStatus.Details
        switch self {
        case .nonResource(let path, let verb):
            message = "forbidden: User \(Self.quoted(username)) cannot \(verb) path \(Self.quoted(path))"
            details = KubeStatus.Details()
        case .resource(let resource):
            var target = resource.resource
            if !resource.subresource.isEmpty { target += "/" + resource.subresource }
            var detail = "User \(Self.quoted(username)) cannot \(resource.verb) resource \(Self.quoted(target)) in API group \(Self.quoted(resource.group))"
            detail += resource.namespace.isEmpty ? " at the cluster scope" : " in the namespace \(Self.quoted(resource.namespace))"
            if !reason.isEmpty { detail += ": " + reason }
            let groupResource = resource.group.isEmpty ? resource.resource : resource.resource + "." + resource.group
            if resource.group.isEmpty && resource.resource.isEmpty {
                message = "forbidden: " + detail
            } else if resource.name.isEmpty {
                message = "\(groupResource) is forbidden: \(detail)"
            } else {
                message = "\(groupResource) \(Self.quoted(resource.name)) is forbidden: \(detail)"
            }
            details = KubeStatus.Details(name: resource.name, group: resource.group, kind: resource.resource)
            return .forbidden(message: message, details: details)
        }
        if !reason.isEmpty { message += ": " + reason }
        return .forbidden(message: message, details: details)
    }

    /// Go's `%q`: double quotes, with `"` and `\` escaped and control characters as escapes.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
