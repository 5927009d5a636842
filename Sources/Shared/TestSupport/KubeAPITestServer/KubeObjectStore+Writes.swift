import Foundation
import Shared

extension KubeObjectStore {
    func key(_ resource: KubeTestResource, namespace: String?, name: String) -> KubeStoreKey {
        KubeStoreKey(resource: resource.gvr, namespace: resource.gvr.namespaced ? namespace ?? "" : "", name: name)
    }

    /// POST: 409 AlreadyExists; sets uid, creationTimestamp, generation 1 and a new resourceVersion.
    /// With a schema, the object is pruned and validated first (422 Invalid).
    mutating func create(
        _ resource: KubeTestResource, namespace: String?, object: JSONValue, now: Date
    ) throws(KubeTestStatus) -> Change {
        guard case .object = object else { throw .badRequest("the body must be a JSON object") }
        let schema = try resource.enforcedSchema()
        var object = try checkedTypeMeta(resource, object)
        var name = object["metadata"]?["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = object["metadata"]?["generateName"]?.stringValue, !prefix.isEmpty {
            uidCounter += 1
            name = prefix + String(format: "%05x", uidCounter)
        }
        let namespace = try checkedNamespace(resource, urlNamespace: namespace, object: object)
        if resource.hasStatusSubresource { object = object.setting(["status"], to: nil) }
        var errors: [KubeFieldError] = []
        if name.isEmpty { errors.append(.required("metadata.name", "name or generateName is required")) }
        if let schema {
            object = schema.pruned(object)
            errors += schema.validate(object)
        }
        if resource.gvr == .events { errors += KubeEventValidation.validate(object, namespace: namespace) }
        guard errors.isEmpty else {
            throw .invalid(kind: resource.kind, group: resource.gvr.group, name: name, errors: errors)
        }
        let key = key(resource, namespace: namespace, name: name)
        guard objects[key] == nil else { throw .alreadyExists(resource.gvr, name) }
        let version = nextVersion()
        object = object.setting(["metadata", "name"], to: .string(name))
            .setting(["metadata", "namespace"], to: resource.gvr.namespaced ? .string(key.namespace) : nil)
            .setting(["metadata", "uid"], to: .string(makeUID()))
            .setting(["metadata", "creationTimestamp"], to: .string(KubeTime.format(now)))
            .setting(["metadata", "generation"], to: .number(1))
            .setting(["metadata", "resourceVersion"], to: .string(String(version)))
        objects[key] = object
        let change = Change(version: version, type: .added, key: key, object: object, previous: nil)
        record(change)
        return change
    }

    /// PUT of the object (`status: false`) or its status subresource (`status: true`).
    /// A non-empty `metadata.resourceVersion` in `object` must match (409 Conflict). With a
    /// schema, the result is pruned and validated (422 Invalid): the whole object for a main
    /// write, `.status` for a status write. Returns nil (and the unchanged object) when
    /// nothing changed.
    mutating func update(
        _ resource: KubeTestResource, namespace: String?, name: String, object: JSONValue, status: Bool
    ) throws(KubeTestStatus) -> (object: JSONValue, change: Change?) {
        let key = key(resource, namespace: namespace, name: name)
        guard let old = objects[key] else { throw .notFound(resource.gvr, name) }
        guard case .object = object else { throw .badRequest("the body must be a JSON object") }
        let body = try checkedTypeMeta(resource, object)
        if let bodyName = body["metadata"]?["name"]?.stringValue, bodyName != name {
            throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let expected = body["metadata"]?["resourceVersion"]?.stringValue, !expected.isEmpty,
            expected != old["metadata"]?["resourceVersion"]?.stringValue
        {
            throw .conflict(resource.gvr, name)
        }
        var updated: JSONValue
        if status {
            guard resource.hasStatusSubresource else { throw .notFound(resource.gvr, name) }
            updated = old.setting(["status"], to: body["status"])
        } else {
            updated = body
            for field in ["uid", "creationTimestamp", "generation", "namespace", "name"] {
                updated = updated.setting(["metadata", field], to: old["metadata"]?[field])
            }
            if resource.hasStatusSubresource { updated = updated.setting(["status"], to: old["status"]) }
        }
        updated = updated.setting(["metadata", "resourceVersion"], to: old["metadata"]?["resourceVersion"])
        if let schema = try resource.enforcedSchema() {
            updated = schema.pruned(updated)
            let errors = status ? schema.validateStatus(updated, old: old) : schema.validate(updated, old: old)
            guard errors.isEmpty else { throw schema.invalid(name: name, errors: errors) }
        }
        if updated == old { return (old, nil) }
        if updated.specContent != old.specContent {
            let generation = old["metadata"]?["generation"].flatMap { value -> Double? in
                if case .number(let number) = value { return number }
                return nil
            } ?? 0
            updated = updated.setting(["metadata", "generation"], to: .number(generation + 1))
        }
        let version = nextVersion()
        updated = updated.setting(["metadata", "resourceVersion"], to: .string(String(version)))
        objects[key] = updated
        let change = Change(version: version, type: .modified, key: key, object: updated, previous: old)
        record(change)
        return (updated, change)
    }

    /// RFC 7386 merge patch; `metadata.resourceVersion` in the patch is a precondition.
    mutating func mergePatch(
        _ resource: KubeTestResource, namespace: String?, name: String, patch: JSONValue, status: Bool
    ) throws(KubeTestStatus) -> (object: JSONValue, change: Change?) {
        let key = key(resource, namespace: namespace, name: name)
        guard let old = objects[key] else { throw .notFound(resource.gvr, name) }
        guard case .object = patch else { throw .badRequest("a merge patch must be a JSON object") }
        var patched = old.applyingMergePatch(patch)
        if patch["metadata"]?["resourceVersion"] == nil {
            patched = patched.setting(["metadata", "resourceVersion"], to: old["metadata"]?["resourceVersion"])
        }
        return try update(resource, namespace: namespace, name: name, object: patched, status: status)
    }

    /// DELETE: 404 when missing; the DELETED change carries the last state at a new version.
    mutating func delete(_ resource: KubeTestResource, namespace: String?, name: String) throws(KubeTestStatus) -> Change {
        let key = key(resource, namespace: namespace, name: name)
        guard let old = objects.removeValue(forKey: key) else { throw .notFound(resource.gvr, name) }
        let version = nextVersion()
        let last = old.setting(["metadata", "resourceVersion"], to: .string(String(version)))
        let change = Change(version: version, type: .deleted, key: key, object: last, previous: old)
        record(change)
        return change
    }

    /// Fills in `apiVersion`/`kind` when missing; 400 when they name another kind.
    private func checkedTypeMeta(_ resource: KubeTestResource, _ object: JSONValue) throws(KubeTestStatus) -> JSONValue {
        var object = object
        if let apiVersion = object["apiVersion"]?.stringValue, apiVersion != resource.gvr.groupVersion {
            throw .badRequest("apiVersion \(apiVersion) does not match \(resource.gvr.groupVersion)")
        }
        if let kind = object["kind"]?.stringValue, kind != resource.kind {
            throw .badRequest("kind \(kind) does not match \(resource.kind)")
        }
        object = object.setting(["apiVersion"], to: .string(resource.gvr.groupVersion))
        return object.setting(["kind"], to: .string(resource.kind))
    }

    private func checkedNamespace(
        _ resource: KubeTestResource, urlNamespace: String?, object: JSONValue
    ) throws(KubeTestStatus) -> String? {
        guard resource.gvr.namespaced else { return nil }
        guard let urlNamespace, !urlNamespace.isEmpty else { throw .badRequest("a namespace is required for \(resource.gvr)") }
        if let bodyNamespace = object["metadata"]?["namespace"]?.stringValue, !bodyNamespace.isEmpty,
            bodyNamespace != urlNamespace
        {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        return urlNamespace
    }
}

extension KubeTestResource {
    /// The schema writes are checked against; nil when none; 500 when it could not be loaded.
    func enforcedSchema() throws(KubeTestStatus) -> KubeCRDSchema? {
        switch schema {
        case nil: return nil
        case .success(let schema)?: return schema
        case .failure(let error)?: throw .schemaUnavailable(gvr, error)
        }
    }
}
