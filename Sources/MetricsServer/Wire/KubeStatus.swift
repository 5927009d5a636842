/// `metav1.Status`, the body of every Kubernetes API error (docs/metrics-api.md, "Errors").
///
/// Rendered in Go field order: `kind, apiVersion, metadata, status, message, reason, details, code`.
/// Build one with the factories in `KubeStatus+Factories.swift`; throw it as ``KubeStatusError``.
public struct KubeStatus: GoJSONEncodable, Hashable {
    /// One entry of `details.causes`.
    public struct Cause: Sendable, Hashable {
        /// Machine-readable cause (`FieldValueInvalid`, ...); omitted when empty.
        public var reason: String
        /// Human-readable description; omitted when empty.
        public var message: String
        /// The field path the cause refers to; omitted when empty.
        public var field: String

        /// Creates a cause.
        public init(reason: String = "", message: String = "", field: String = "") {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// `metav1.StatusDetails`; every field is `omitempty`, so an empty value renders `{}`.
    public struct Details: Sendable, Hashable {
        public var name: String
        public var group: String
        public var kind: String
        public var uid: String
        public var causes: [Cause]
        /// Seconds a client should wait before retrying; omitted when zero.
        public var retryAfterSeconds: Int

        /// Creates details; all defaults render as `{}`.
        public init(
            name: String = "", group: String = "", kind: String = "", uid: String = "",
            causes: [Cause] = [], retryAfterSeconds: Int = 0
        ) {
            self.name = name
            self.group = group
            self.kind = kind
            self.uid = uid
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// `Success` or `Failure`; errors always use `Failure`.
    public var status: String
    /// Human-readable description.
    public var message: String
    /// Machine-readable `StatusReason` (`NotFound`, ...); omitted when empty.
    public var reason: String
    /// Extra data; omitted when nil, `{}` when present but empty.
    public var details: Details?
    /// The HTTP status code, repeated in the body.
    public var code: Int

    /// Creates a status; prefer the named factories.
    public init(code: Int, reason: String, message: String, details: Details? = nil, status: String = "Failure") {
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }

    /// The JSON tree in Go field order.
    public var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.add("kind", .string("Status"))
        object.add("apiVersion", .string("v1"))
        object.add("metadata", .emptyObject)
        object.addOmitEmpty("status", status)
        object.addOmitEmpty("message", message)
        object.addOmitEmpty("reason", reason)
        if let details { object.add("details", details.goJSON) }
        object.addOmitEmpty("code", Int64(code))
        return object.object
    }
}

extension KubeStatus.Details {
    var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.addOmitEmpty("name", name)
        object.addOmitEmpty("group", group)
        object.addOmitEmpty("kind", kind)
        object.addOmitEmpty("uid", uid)
        if !causes.isEmpty { object.add("causes", .array(causes.map(\.goJSON))) }
        object.addOmitEmpty("retryAfterSeconds", Int64(retryAfterSeconds))
        return object.object
    }
}

extension KubeStatus.Cause {
    var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.addOmitEmpty("reason", reason)
        object.addOmitEmpty("message", message)
        object.addOmitEmpty("field", field)
        return object.object
    }
}
