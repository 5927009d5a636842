/// core/v1 `ObjectReference`, the `describedObject` of a metric value; every field is `omitempty`.
public struct ObjectReference: GoJSONEncodable, Hashable {
    public var kind: String
    public var namespace: String
    public var name: String
    public var uid: String
    /// The Go helper writes `group + "/" + version`, so core objects get `/v1`
    /// (docs/metrics-api.md, "Custom metric values (v1beta1 and v1beta2)").
    public var apiVersion: String
    public var resourceVersion: String
    public var fieldPath: String

    /// Creates a reference; empty strings are left out of the JSON.
    public init(
        kind: String = "", namespace: String = "", name: String = "", uid: String = "",
        apiVersion: String = "", resourceVersion: String = "", fieldPath: String = ""
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }

    /// `kind, namespace, name, uid, apiVersion, resourceVersion, fieldPath`, empty ones omitted.
    public var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.addOmitEmpty("kind", kind)
        object.addOmitEmpty("namespace", namespace)
        object.addOmitEmpty("name", name)
        object.addOmitEmpty("uid", uid)
        object.addOmitEmpty("apiVersion", apiVersion)
        object.addOmitEmpty("resourceVersion", resourceVersion)
        object.addOmitEmpty("fieldPath", fieldPath)
        return object.object
    }
}
