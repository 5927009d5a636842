import Shared
/// What the API server does to a custom resource body before validating it: drop the
/// fields the schema does not declare (apiextensions-apiserver
/// pkg/apiserver/schema/pruning/algorithm.go), then the `null`s of fields that are
/// neither nullable nor defaulted (pkg/apiserver/schema/defaulting/prunenulls.go).
/// Unknown fields are dropped silently, never reported.
enum KubeSchemaPruning {
    /// TypeMeta and ObjectMeta, never pruned at the root or in an embedded resource.
    static let metaFields: Set<String> = ["apiVersion", "kind", "metadata"]

    /// Prunes a whole object: the root counts as an embedded resource, so `apiVersion`,
    /// `kind` and `metadata` are kept as they are.
    static func pruneObject(_ object: JSONValue, _ schema: KubeSchemaNode) -> JSONValue {
        pruneNulls(prune(object, schema, embedded: true), schema)
    }

    /// `pruning.prune`: `x-kubernetes-preserve-unknown-fields` keeps undeclared fields
    /// (but still prunes inside declared ones); with no schema, objects lose every field.
    static func prune(_ value: JSONValue, _ schema: KubeSchemaNode?, embedded: Bool = false) -> JSONValue {
        let embedded = embedded || schema?.embeddedResource == true
        switch value {
        case .object(let fields):
            guard let schema else { return .object([:]) }
            var kept: [String: JSONValue] = [:]
            for (key, member) in fields {
                if embedded, metaFields.contains(key) {
                    kept[key] = member
                } else if let property = schema.schema(forField: key) {
                    kept[key] = prune(member, property)
                } else if schema.preserveUnknownFields {
                    kept[key] = member
                }
            }
            return .object(kept)
        case .array(let items):
            return .array(items.map { prune($0, schema?.items) })
        default:
            return value
        }
    }

    /// `PruneNonNullableNullsWithoutDefaults`: removes `key: null` where the key's schema
    /// is not nullable (nulls inside lists stay, and fail validation). Upstream keeps the
    /// null of a field with a default and then defaults it; this server does not default,
    /// so it drops that null too: the field ends up absent rather than defaulted.
    static func pruneNulls(_ value: JSONValue, _ schema: KubeSchemaNode?) -> JSONValue {
        switch value {
        case .object(let fields):
            var kept: [String: JSONValue] = [:]
            for (key, member) in fields {
                let property = schema?.schema(forField: key)
                if member == .null, let property, !property.nullable { continue }
                kept[key] = pruneNulls(member, property)
            }
            return .object(kept)
        case .array(let items):
            return .array(items.map { pruneNulls($0, schema?.items) })
        default:
            return value
        }
    }
}
