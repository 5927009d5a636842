import Shared
extension JSONValue {
    /// RFC 7386 JSON merge patch: objects merge key by key, `null` deletes a key, and
    /// anything else (arrays included) replaces the target whole.
    public func applyingMergePatch(_ patch: JSONValue) -> JSONValue {
        guard case .object(let patchFields) = patch else { return patch }
        var fields = objectValue ?? [:]
        for (key, value) in patchFields {
            if value == .null {
                fields.removeValue(forKey: key)
            } else {
                fields[key] = (fields[key] ?? .null).applyingMergePatch(value)
            }
        }
        return .object(fields)
    }

    /// A copy with `value` stored at `path` (objects are created along the way).
    public func setting(_ path: [String], to value: JSONValue?) -> JSONValue {
        guard let first = path.first else { return value ?? .null }
        var fields = objectValue ?? [:]
        if path.count == 1 {
            fields[first] = value
        } else {
            fields[first] = (fields[first] ?? .object([:])).setting(Array(path.dropFirst()), to: value)
        }
        return .object(fields)
    }
}
