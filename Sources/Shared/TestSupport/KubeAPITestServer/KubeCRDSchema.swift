import Foundation
import Shared

/// A CustomResourceDefinition's structural schema (`openAPIV3Schema` of its storage
/// version), as `KubeAPITestServer` enforces it on every create, update and patch of the
/// resource, the status subresource included: unknown fields are pruned, then the
/// object is validated and refused with the API server's 422 `Invalid` Status.
///
/// Not enforced: CEL rules (`x-kubernetes-validations`, checked by hack/check_crds.py),
/// defaulting, and metadata validation beyond what the store already checks.
/// docs/test-api-server.md lists the semantics and the upstream sources.
public struct KubeCRDSchema: Sendable, Hashable {
    public let kind: String
    public let group: String
    public let version: String
    /// The resource's plural name (`spec.names.plural`).
    public let plural: String
    /// The schema as written in the CRD.
    public let openAPIV3Schema: JSONValue
    let root: KubeSchemaNode

    /// Reads a CustomResourceDefinition manifest; `origin` (a file path) names it in errors.
    public init(crd: JSONValue, origin: String) throws(KubeCRDSchemaError) {
        func field(_ path: [String]) throws(KubeCRDSchemaError) -> String {
            var value: JSONValue? = crd
            for key in path { value = value?[key] }
            guard let text = value?.stringValue, !text.isEmpty else {
                throw KubeCRDSchemaError("\(origin): \(path.joined(separator: ".")) is missing; is this a CustomResourceDefinition?")
            }
            return text
        }
        guard crd["kind"]?.stringValue == "CustomResourceDefinition" else {
            throw KubeCRDSchemaError("\(origin): not a CustomResourceDefinition (kind is \(crd["kind"]?.shortDescription ?? "missing"))")
        }
        kind = try field(["spec", "names", "kind"])
        group = try field(["spec", "group"])
        plural = try field(["spec", "names", "plural"])
        let versions = crd["spec"]?["versions"]?.arrayValue ?? []
        guard let stored = versions.first(where: { $0["storage"] == .bool(true) }) ?? versions.first,
            let name = stored["name"]?.stringValue
        else {
            throw KubeCRDSchemaError("\(origin): spec.versions is empty")
        }
        version = name
        guard let schema = stored["schema"]?["openAPIV3Schema"] else {
            throw KubeCRDSchemaError("\(origin): version \(name) has no schema.openAPIV3Schema; the test server needs one")
        }
        openAPIV3Schema = schema
        do {
            root = try KubeSchemaNode.parse(schema, at: "spec.versions[\(name)].schema.openAPIV3Schema")
        } catch {
            throw KubeCRDSchemaError("\(origin): \(error.message)")
        }
    }

    /// Reads a one-document CustomResourceDefinition manifest in YAML.
    public init(yaml: String, origin: String) throws(KubeCRDSchemaError) {
        let documents: [(value: JSONValue, line: Int)]
        do {
            documents = try JSONValue.parseYAMLDocuments(yaml)
        } catch {
            throw KubeCRDSchemaError("\(origin): \(error)")
        }
        guard documents.count == 1, let document = documents.first else {
            throw KubeCRDSchemaError("\(origin): expected one YAML document, found \(documents.count)")
        }
        try self.init(crd: document.value, origin: origin)
    }

    public static func == (lhs: KubeCRDSchema, rhs: KubeCRDSchema) -> Bool {
        (lhs.kind, lhs.group, lhs.version, lhs.plural, lhs.openAPIV3Schema)
            == (rhs.kind, rhs.group, rhs.version, rhs.plural, rhs.openAPIV3Schema)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(group)
        hasher.combine(version)
        hasher.combine(plural)
        hasher.combine(openAPIV3Schema)
    }
}
