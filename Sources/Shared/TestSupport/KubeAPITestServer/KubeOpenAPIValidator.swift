import Shared
/// kube-openapi's `validate.SchemaValidator` as the API server runs it on a custom
/// resource (k8s.io/kube-openapi/pkg/validation/validate: schema.go, type.go,
/// validator.go, slice_validator.go, object_validator.go), in the same order per node:
/// type, string, format, number, array, enum, object. Every applicable check runs (a
/// type error does not stop the others), as upstream.
///
/// One deliberate difference: upstream walks an object's properties in Go map order
/// (random), so with several failing siblings their order varies between requests;
/// here siblings are visited in sorted order.
struct KubeOpenAPIValidator {
    private(set) var failures: [KubeOpenAPIFailure] = []

    /// Validates `data` against `schema`; `path` is the validator's path of `data`
    /// (empty at the root).
    static func validate(_ data: JSONValue, _ schema: KubeSchemaNode) -> [KubeOpenAPIFailure] {
        var validator = KubeOpenAPIValidator()
        validator.validate(data, schema, path: "")
        return validator.failures
    }

    mutating func validate(_ data: JSONValue, _ schema: KubeSchemaNode, path: String) {
        if data == .null {
            if !schema.types.isEmpty, !schema.types.contains("null"), !schema.nullable {
                failures.append(.invalidType(path, schema.types.joined(separator: ","), "null"))
            }
            checkEnum(data, schema, path: path)
            return
        }
        checkType(data, schema, path: path)
        if case .string(let text) = data {
            checkString(text, schema, path: path)
            checkFormat(text, schema, path: path)
        }
        if case .number(let number) = data { checkNumber(number, schema, path: path) }
        if case .array(let items) = data { checkArray(items, schema, path: path) }
        checkEnum(data, schema, path: path)
        if case .object(let fields) = data { checkObject(fields, schema, path: path) }
    }

    mutating func record(_ failure: KubeOpenAPIFailure) {
        failures.append(failure)
    }

    /// `schemaSliceValidator`: every item first, then minItems and maxItems.
    private mutating func checkArray(_ items: [JSONValue], _ schema: KubeSchemaNode, path: String) {
        if let itemSchema = schema.items {
            for (index, item) in items.enumerated() {
                validate(item, itemSchema, path: "\(path)[\(index)]")
            }
        }
        if let minItems = schema.minItems, items.count < minItems {
            failures.append(.items(path, tooMany: false, limit: minItems, size: items.count))
        }
        if let maxItems = schema.maxItems, items.count > maxItems {
            failures.append(.items(path, tooMany: true, limit: maxItems, size: items.count))
        }
    }

    /// `basicCommonValidator`: the value must equal one of `enum`.
    private mutating func checkEnum(_ data: JSONValue, _ schema: KubeSchemaNode, path: String) {
        guard !schema.enumValues.isEmpty else { return }
        if data != .null, schema.enumValues.contains(data) { return }
        failures.append(.enumFail(path, data, schema.enumValues))
    }

    /// `objectValidator`: property counts, additionalProperties, properties, then required.
    private mutating func checkObject(_ fields: [String: JSONValue], _ schema: KubeSchemaNode, path: String) {
        if let minimum = schema.minProperties, fields.count < minimum {
            failures.append(.properties(path, tooMany: false, limit: minimum, size: fields.count))
        }
        if let maximum = schema.maxProperties, fields.count > maximum {
            failures.append(.properties(path, tooMany: true, limit: maximum, size: fields.count))
        }
        if let additional = schema.additionalProperties {
            for key in fields.keys.sorted() where schema.properties[key] == nil {
                if let value = fields[key] { validate(value, additional, path: path + "." + key) }
            }
        }
        for name in schema.properties.keys.sorted() {
            guard let value = fields[name], let property = schema.properties[name] else { continue }
            validate(value, property, path: path.isEmpty ? name : path + "." + name)
        }
        for name in schema.required where fields[name] == nil {
            failures.append(.required(path + "." + name))
        }
    }
}
