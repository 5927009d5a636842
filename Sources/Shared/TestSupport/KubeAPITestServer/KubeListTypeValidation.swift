import Shared
/// The uniqueness invariants of `x-kubernetes-list-type: set` (whole items) and `map`
/// (the `x-kubernetes-list-map-keys`), as apiextensions-apiserver
/// pkg/apiserver/schema/listtype/validation.go checks them: the second occurrence of each
/// repeated item (or key) is a `Duplicate value`; later repeats are not reported again.
enum KubeListTypeValidation {
    /// `ValidateListSetsAndMaps(nil, schema, object)`.
    static func validate(_ object: JSONValue, _ schema: KubeSchemaNode) -> [KubeFieldError] {
        guard case .object(let fields) = object else { return [] }
        return validateObject(nil, schema, fields)
    }

    private static func validateObject(
        _ path: String?, _ schema: KubeSchemaNode, _ fields: [String: JSONValue]
    ) -> [KubeFieldError] {
        var errors: [KubeFieldError] = []
        if let additional = schema.additionalProperties {
            for key in fields.keys.sorted() {
                if let value = fields[key] { errors += validateValue("\(path ?? "")[\(key)]", additional, value) }
            }
        }
        for key in fields.keys.sorted() {
            guard let property = schema.properties[key], let value = fields[key] else { continue }
            errors += validateValue(path.map { "\($0).\(key)" } ?? key, property, value)
        }
        return errors
    }

    private static func validateValue(_ path: String, _ schema: KubeSchemaNode, _ value: JSONValue) -> [KubeFieldError] {
        switch value {
        case .array(let items): validateArray(path, schema, items)
        case .object(let fields): validateObject(path, schema, fields)
        default: []
        }
    }

    private static func validateArray(_ path: String, _ schema: KubeSchemaNode, _ items: [JSONValue]) -> [KubeFieldError] {
        var errors: [KubeFieldError] = []
        switch schema.listType {
        case "set":
            errors += repeats(items).map { .duplicate("\(path)[\($0)]", .json(items[$0])) }
        case "map":
            errors += validateMap(path, schema, items)
        default:
            break
        }
        if let itemSchema = schema.items {
            for (index, item) in items.enumerated() {
                errors += validateValue("\(path)[\(index)]", itemSchema, item)
            }
        }
        return errors
    }

    /// `validateListMap`: items must be objects (or null); duplicate keys are reported
    /// with the key(s) as a Go map, `{}` when the key is missing.
    private static func validateMap(_ path: String, _ schema: KubeSchemaNode, _ items: [JSONValue]) -> [KubeFieldError] {
        for (index, item) in items.enumerated() where item != .null && item.objectValue == nil {
            return [.invalid("\(path)[\(index)]", .json(item), "must be an object for an array of list-type map")]
        }
        guard items.count > 1 else { return [] }
        if schema.listMapKeys.count == 1, let keyField = schema.listMapKeys.first {
            // A missing key differs from a key that is null.
            let keys: [JSONValue?] = items.map { $0[keyField] }
            return repeats(keys).map { index in
                let key: JSONValue = keys[index].map { .object([keyField: $0]) } ?? .object([:])
                return .duplicate("\(path)[\(index)]", .json(key))
            }
        }
        let keys: [JSONValue] = items.map { item in
            var key: [String: JSONValue] = [:]
            for field in schema.listMapKeys {
                if let value = item[field] { key[field] = value }
            }
            return .object(key)
        }
        return repeats(keys).map { .duplicate("\(path)[\($0)]", .json(keys[$0])) }
    }

    /// `validateListSet`: the index of each value's second occurrence.
    private static func repeats<Value: Hashable>(_ values: [Value]) -> [Int] {
        var seen: [Value: Int] = [:]
        var indices: [Int] = []
        for (index, value) in values.enumerated() {
            seen[value, default: 0] += 1
            if seen[value] == 2 { indices.append(index) }
        }
        return indices
    }
}
