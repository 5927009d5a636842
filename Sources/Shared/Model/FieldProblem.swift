/// One problem with a mapping, located by its field path (`spec.window`, `spec.objects[1].resource`).
public struct FieldProblem: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// `spec.window: "60" is not a duration`.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A document that is not a valid mapping. `key` is filled in when the document
/// at least named itself, so reports can say which object is broken.
public struct MappingDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var key: MappingKey?
    public var problems: [FieldProblem]

    public init(key: MappingKey?, problems: [FieldProblem]) {
        self.key = key
        self.problems = problems
    }

    public var description: String {
        let subject = key.map { "\($0)" } ?? "mapping"
        return "\(subject) is invalid: " + problems.map(\.description).joined(separator: "; ")
    }
}

/// Reads untyped JSON strictly, collecting problems instead of stopping at the first.
struct StrictReader {
    private(set) var problems: [FieldProblem] = []
    /// Paths whose value was unusable, so later semantic checks don't report them twice.
    private(set) var brokenPaths: Set<String> = []

    mutating func report(_ path: String, _ message: String) {
        problems.append(FieldProblem(path, message))
        brokenPaths.insert(path)
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The fields of an object, reporting a wrong type and every field not in `allowed`.
    mutating func object(_ value: JSONValue?, at path: String, allowed: Set<String>) -> [String: JSONValue]? {
        guard let value, value != .null else { return nil }
        guard case .object(let fields) = value else {
            report(path, "expected an object, got \(value.typeDescription)")
            return nil
        }
        for key in fields.keys.sorted() where !allowed.contains(key) {
            report(Self.join(path, key), "unknown field")
        }
        return fields
    }

    mutating func string(_ fields: [String: JSONValue]?, _ key: String, at path: String) -> String? {
        guard let value = fields?[key], value != .null else { return nil }
        guard case .string(let text) = value else {
            report(Self.join(path, key), "expected a string, got \(value.typeDescription) \(value.shortDescription)")
            return nil
        }
        return text
    }

    mutating func requiredString(_ fields: [String: JSONValue]?, _ key: String, at path: String) -> String? {
        guard let fields else { return nil }
        if fields[key] == nil || fields[key] == .null {
            report(Self.join(path, key), "required field is missing")
            return nil
        }
        return string(fields, key, at: path)
    }

    mutating func bool(_ fields: [String: JSONValue]?, _ key: String, at path: String) -> Bool? {
        guard let value = fields?[key], value != .null else { return nil }
        guard case .bool(let flag) = value else {
            report(Self.join(path, key), "expected a boolean, got \(value.typeDescription) \(value.shortDescription)")
            return nil
        }
        return flag
    }

    mutating func number(_ fields: [String: JSONValue]?, _ key: String, at path: String) -> Double? {
        guard let value = fields?[key], value != .null else { return nil }
        guard case .number(let number) = value else {
            report(Self.join(path, key), "expected a number, got \(value.typeDescription) \(value.shortDescription)")
            return nil
        }
        return number
    }

    mutating func duration(_ fields: [String: JSONValue]?, _ key: String, at path: String) -> KubeDuration? {
        guard let value = fields?[key], value != .null else { return nil }
        let fieldPath = Self.join(path, key)
        guard case .string(let text) = value else {
            report(fieldPath, "\(value.shortDescription) is not a duration (write it with a unit, e.g. \"60s\")")
            return nil
        }
        guard let duration = KubeDuration.parse(text) else {
            report(fieldPath, "\(value.shortDescription) is not a duration (write it with a unit, e.g. \"60s\")")
            return nil
        }
        return duration
    }

    mutating func array(_ fields: [String: JSONValue]?, _ key: String, at path: String) -> [JSONValue]? {
        guard let value = fields?[key], value != .null else { return nil }
        guard case .array(let items) = value else {
            report(Self.join(path, key), "expected a list, got \(value.typeDescription)")
            return nil
        }
        return items
    }

    mutating func stringMap(_ fields: [String: JSONValue]?, _ key: String, at path: String) -> [String: String] {
        guard let value = fields?[key], value != .null else { return [:] }
        guard case .object(let entries) = value else {
            report(Self.join(path, key), "expected a map of strings, got \(value.typeDescription)")
            return [:]
        }
        var result: [String: String] = [:]
        for (entryKey, entryValue) in entries {
            if case .string(let text) = entryValue {
                result[entryKey] = text
            } else {
                report(Self.join(Self.join(path, key), entryKey), "expected a string, got \(entryValue.typeDescription)")
            }
        }
        return result
    }
}
