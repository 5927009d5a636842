import Shared
/// A failure the test API server answers with: a `Status` object (docs/metrics-api.md, "Errors").
/// Thrown as is by the direct controls (`seed`, `patch`, `remove`).
public struct KubeTestStatus: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    /// `HTTP 422 Invalid: SysdigMetricMapping.metrics.sysdig.com "m" is invalid: ...`.
    public var description: String { "HTTP \(code) \(reason): \(message)" }

    /// `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",...}`.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Failure"),
            "message": .string(message), "reason": .string(reason), "code": .number(Double(code)),
        ]
        if let details { fields["details"] = details }
        return .object(fields)
    }

    static func notFound(_ resource: KubeGVR, _ name: String) -> KubeTestStatus {
        KubeTestStatus(
            code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found",
            details: details(resource, name))
    }

    static func alreadyExists(_ resource: KubeGVR, _ name: String) -> KubeTestStatus {
        KubeTestStatus(
            code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists",
            details: details(resource, name))
    }

    /// The exact message of the API server's optimistic-concurrency failure
    /// (docs/kubernetes-api.md, "Status subresource and patches").
    static func conflict(_ resource: KubeGVR, _ name: String) -> KubeTestStatus {
        KubeTestStatus(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified; "
                + "please apply your changes to the latest version and try again",
            details: details(resource, name))
    }

    static func expired(_ message: String) -> KubeTestStatus {
        KubeTestStatus(code: 410, reason: "Expired", message: message)
    }

    static func badRequest(_ message: String) -> KubeTestStatus {
        KubeTestStatus(code: 400, reason: "BadRequest", message: message)
    }

    /// `apierrors.NewInvalid`: 422 `Invalid`, the message
    /// `<Kind>.<group> "<name>" is invalid: <aggregate>` and one cause per error
    /// (empty name and group left out of the details, as Go's `omitempty` does).
    static func invalid(kind: String, group: String, name: String, errors: [KubeFieldError]) -> KubeTestStatus {
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        var details: [String: JSONValue] = ["kind": .string(kind), "causes": .array(errors.map(\.cause))]
        if !name.isEmpty { details["name"] = .string(name) }
        if !group.isEmpty { details["group"] = .string(group) }
        let message = errors.isEmpty
            ? "\(qualifiedKind) \(KubeGoFormat.quote(name)) is invalid"
            : "\(qualifiedKind) \(KubeGoFormat.quote(name)) is invalid: \(KubeFieldError.aggregate(errors))"
        return KubeTestStatus(code: 422, reason: "Invalid", message: message, details: .object(details))
    }

    /// 500 for every write of a resource whose CRD schema could not be loaded.
    static func schemaUnavailable(_ resource: KubeGVR, _ error: KubeCRDSchemaError) -> KubeTestStatus {
        KubeTestStatus(
            code: 500, reason: "InternalError",
            message: "KubeAPITestServer cannot enforce the CRD schema of \(resource): \(error.message)")
    }

    private static func details(_ resource: KubeGVR, _ name: String) -> JSONValue {
        .object(["name": .string(name), "group": .string(resource.group), "kind": .string(resource.resource)])
    }
}
