/// A failure the test API server answers with: a `Status` object (PROTOCOL.md A9).
public struct KubeTestStatus: Error, Sendable, Hashable {
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

    /// The exact message of the API server's optimistic-concurrency failure (PROTOCOL.md C4).
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

    static func invalid(_ resource: KubeGVR, _ name: String, _ problem: String) -> KubeTestStatus {
        KubeTestStatus(
            code: 422, reason: "Invalid", message: "\(resource) \"\(name)\" is invalid: \(problem)",
            details: details(resource, name))
    }

    private static func details(_ resource: KubeGVR, _ name: String) -> JSONValue {
        .object(["name": .string(name), "group": .string(resource.group), "kind": .string(resource.resource)])
    }
}
