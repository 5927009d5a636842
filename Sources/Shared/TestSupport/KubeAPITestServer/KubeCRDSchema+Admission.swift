import Shared
extension KubeCRDSchema {
    /// The object as the API server stores it: undeclared fields pruned (`apiVersion`,
    /// `kind` and `metadata` kept as they are), then `null`s of non-nullable fields without
    /// a default dropped. Defaults are not applied.
    public func pruned(_ object: JSONValue) -> JSONValue {
        KubeSchemaPruning.pruneObject(object, root)
    }

    /// The errors of a create or update of the resource (after pruning): the whole object
    /// against the schema (paths from the root), then the list-type invariants. With `old`
    /// (an update), list-type errors are reported only if `old` had none (ratcheting).
    public func validate(_ object: JSONValue, old: JSONValue? = nil) -> [KubeFieldError] {
        let schemaErrors = KubeOpenAPIValidator.validate(object, root).map { $0.fieldError(under: nil) }
        return schemaErrors + listTypeErrors(object, old: old)
    }

    /// The errors of a write to the status subresource (after pruning): only `.status`,
    /// against the status schema with a validator rooted there (so messages say
    /// `lastQuery.time in body ...` while fields say `status.lastQuery.time`), then the
    /// list-type invariants of the whole object, ratcheted against `old`.
    public func validateStatus(_ object: JSONValue, old: JSONValue?) -> [KubeFieldError] {
        var errors: [KubeFieldError] = []
        if let status = object["status"], let statusSchema = root.properties["status"] {
            errors = KubeOpenAPIValidator.validate(status, statusSchema).map { $0.fieldError(under: "status") }
        }
        return errors + listTypeErrors(object, old: old)
    }

    /// The 422 the API server answers: `<Kind>.<group> "<name>" is invalid: <errors>`,
    /// with one cause per error.
    public func invalid(name: String, errors: [KubeFieldError]) -> KubeTestStatus {
        KubeTestStatus.invalid(kind: kind, group: group, name: name, errors: errors)
    }

    private func listTypeErrors(_ object: JSONValue, old: JSONValue?) -> [KubeFieldError] {
        let errors = KubeListTypeValidation.validate(object, root)
        guard !errors.isEmpty, let old else { return errors }
        return KubeListTypeValidation.validate(old, root).isEmpty ? errors : []
    }
}
