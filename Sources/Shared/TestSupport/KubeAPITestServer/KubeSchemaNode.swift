import Foundation
import Shared

/// One node of a CRD's structural schema (`openAPIV3Schema`), reduced to what the API
/// server prunes and validates with. Built by `KubeSchemaNode.parse`, which refuses
/// every keyword it would otherwise silently ignore, so a CRD change the test server
/// cannot enforce fails loudly instead of making the tests more lenient than a cluster.
final class KubeSchemaNode: Sendable {
    /// `type`, or `[integer, string]` for `x-kubernetes-int-or-string`; empty: any type.
    let types: [String]
    let nullable: Bool
    /// The format the API server validates with; formats it strips (int64, double...) are nil.
    let format: String?
    let properties: [String: KubeSchemaNode]
    let additionalProperties: KubeSchemaNode?
    let items: KubeSchemaNode?
    let required: [String]
    let enumValues: [JSONValue]
    let pattern: KubeGoPattern?
    let minLength: Int64?
    let maxLength: Int64?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool
    let multipleOf: Double?
    let minItems: Int64?
    let maxItems: Int64?
    let minProperties: Int64?
    let maxProperties: Int64?
    let preserveUnknownFields: Bool
    /// `x-kubernetes-embedded-resource`: apiVersion, kind and metadata are not pruned.
    let embeddedResource: Bool
    /// `x-kubernetes-list-type` (`atomic`, `set`, `map`) and `x-kubernetes-list-map-keys`.
    let listType: String?
    let listMapKeys: [String]

    /// Keywords that only document, that another checker enforces (`x-kubernetes-validations`:
    /// CEL, evaluated by hack/check_crds.py, not here), or that this server does not apply
    /// (`default`: no defaulting).
    static let ignoredKeywords: Set<String> = [
        "description", "title", "example", "externalDocs", "x-kubernetes-validations", "x-kubernetes-map-type", "default",
    ]
    static let knownKeywords: Set<String> = ignoredKeywords.union([
        "type", "nullable", "format", "properties", "additionalProperties", "items", "required", "enum", "pattern",
        "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minItems", "maxItems", "minProperties", "maxProperties", "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
        "x-kubernetes-int-or-string",
    ])
    /// What the API server validates formats with (`supportedVersionedFormats`, normalized
    /// without dashes) and which of them this server implements.
    static let supportedFormats: Set<String> = [
        "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5",
        "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date", "duration",
        "datetime",
    ]
    static let implementedFormats: Set<String> = ["datetime", "date", "password"]

    private init(_ fields: [String: JSONValue], at path: String) throws(KubeCRDSchemaError) {
        let reader = Reader(fields: fields, path: path)
        for key in fields.keys.sorted() where !Self.knownKeywords.contains(key) {
            throw reader.unsupported(key)
        }
        let intOrString = try reader.bool("x-kubernetes-int-or-string")
        types = try intOrString ? ["integer", "string"] : (reader.string("type").map { [$0] } ?? [])
        nullable = try reader.bool("nullable")
        format = try Self.format(reader.string("format"), reader)
        properties = try reader.schemas("properties")
        additionalProperties = try reader.schema("additionalProperties")
        items = try reader.schema("items")
        required = try reader.strings("required")
        enumValues = fields["enum"]?.arrayValue ?? []
        if let text = try reader.string("pattern") {
            pattern = try KubeGoPattern(text, at: "\(path).pattern")
        } else {
            pattern = nil
        }
        minLength = try reader.integer("minLength")
        maxLength = try reader.integer("maxLength")
        minimum = try reader.number("minimum")
        maximum = try reader.number("maximum")
        exclusiveMinimum = try reader.bool("exclusiveMinimum")
        exclusiveMaximum = try reader.bool("exclusiveMaximum")
        multipleOf = try reader.number("multipleOf")
        minItems = try reader.integer("minItems")
        maxItems = try reader.integer("maxItems")
        minProperties = try reader.integer("minProperties")
        maxProperties = try reader.integer("maxProperties")
        preserveUnknownFields = try reader.bool("x-kubernetes-preserve-unknown-fields")
        embeddedResource = try reader.bool("x-kubernetes-embedded-resource")
        listType = try reader.string("x-kubernetes-list-type")
        listMapKeys = try reader.strings("x-kubernetes-list-map-keys")
        if listType == "map", listMapKeys.isEmpty {
            throw KubeCRDSchemaError("\(path): x-kubernetes-list-type: map needs x-kubernetes-list-map-keys")
        }
    }

    /// Parses `openAPIV3Schema` (or any node of it); `path` names it in errors.
    static func parse(_ value: JSONValue, at path: String) throws(KubeCRDSchemaError) -> KubeSchemaNode {
        guard case .object(let fields) = value else {
            throw KubeCRDSchemaError("\(path) must be a schema object, not \(value.typeDescription)")
        }
        return try KubeSchemaNode(fields, at: path)
    }

    /// The format as the API server keeps it: unsupported formats (int32, int64, float,
    /// double, ...) are stripped; supported ones this server cannot check are refused.
    private static func format(_ format: String?, _ reader: Reader) throws(KubeCRDSchemaError) -> String? {
        guard let format, !format.isEmpty else { return nil }
        let normalized = format.replacingOccurrences(of: "-", with: "")
        guard supportedFormats.contains(normalized) else { return nil }
        guard implementedFormats.contains(normalized) else {
            throw KubeCRDSchemaError(
                "\(reader.path).format: the API server validates format \(format), but KubeAPITestServer does not; "
                    + "implement it in KubeSchemaFormats.swift or drop the format from the CRD")
        }
        return format
    }

    /// The property schema a field of an object has, if any.
    func schema(forField name: String) -> KubeSchemaNode? {
        properties[name] ?? additionalProperties
    }
}

extension KubeSchemaNode {
    /// Typed access to a schema node's keywords, with errors naming the keyword's path.
    private struct Reader {
        let fields: [String: JSONValue]
        let path: String

        func unsupported(_ key: String) -> KubeCRDSchemaError {
            KubeCRDSchemaError(
                "\(path).\(key): KubeAPITestServer does not enforce this schema keyword; implement it in "
                    + "Sources/Shared/Kubernetes/Testing/KubeSchemaNode.swift (and the validator) or remove it from the CRD")
        }

        func bool(_ key: String) throws(KubeCRDSchemaError) -> Bool {
            guard let value = fields[key] else { return false }
            guard case .bool(let flag) = value else { throw wrongType(key, "a boolean", value) }
            return flag
        }

        func string(_ key: String) throws(KubeCRDSchemaError) -> String? {
            guard let value = fields[key] else { return nil }
            guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
            return text
        }

        func strings(_ key: String) throws(KubeCRDSchemaError) -> [String] {
            guard let value = fields[key] else { return [] }
            guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
                throw wrongType(key, "a list of strings", value)
            }
            return items.compactMap(\.stringValue)
        }

        func number(_ key: String) throws(KubeCRDSchemaError) -> Double? {
            guard let value = fields[key] else { return nil }
            guard case .number(let number) = value else { throw wrongType(key, "a number", value) }
            return number
        }

        func integer(_ key: String) throws(KubeCRDSchemaError) -> Int64? {
            guard let number = try number(key) else { return nil }
            guard let integer = KubeGoFormat.integer(number), integer >= 0 else {
                throw wrongType(key, "a non-negative integer", .number(number))
            }
            return integer
        }

        func schema(_ key: String) throws(KubeCRDSchemaError) -> KubeSchemaNode? {
            guard let value = fields[key] else { return nil }
            guard case .object = value else {
                throw KubeCRDSchemaError(
                    "\(path).\(key): only a schema is supported here (a boolean is not structural)")
            }
            return try KubeSchemaNode.parse(value, at: "\(path).\(key)")
        }

        func schemas(_ key: String) throws(KubeCRDSchemaError) -> [String: KubeSchemaNode] {
            guard let value = fields[key] else { return [:] }
            guard case .object(let members) = value else { throw wrongType(key, "an object", value) }
            var result: [String: KubeSchemaNode] = [:]
            for (name, member) in members {
                result[name] = try KubeSchemaNode.parse(member, at: "\(path).\(key).\(name)")
            }
            return result
        }

        private func wrongType(_ key: String, _ expected: String, _ value: JSONValue) -> KubeCRDSchemaError {
            KubeCRDSchemaError("\(path).\(key) must be \(expected), not \(value.shortDescription)")
        }
    }
}
