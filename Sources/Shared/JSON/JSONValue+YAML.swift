import Foundation
import Yams

/// A YAML document that could not be read, with its 1-based line when known.
public struct YAMLReadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var line: Int?

    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}

extension JSONValue {
    /// Parses every document of a (multi-document) YAML stream. Empty documents are skipped.
    public static func parseYAMLDocuments(_ text: String) throws(YAMLReadError) -> [(value: JSONValue, line: Int)] {
        var documents: [(JSONValue, Int)] = []
        do {
            // Iterate the parser directly: compose_all's sequence swallows errors.
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                let value = try JSONValue(yaml: node)
                if value != .null { documents.append((value, node.mark?.line ?? 1)) }
            }
        } catch let error as YAMLReadError {
            throw error
        } catch let error as YamlError {
            throw YAMLReadError(message: Self.describe(error), line: Self.line(of: error))
        } catch {
            throw YAMLReadError(message: "malformed YAML", line: nil)
        }
        return documents
    }

    /// Converts a composed YAML node, resolving scalar tags the way Kubernetes' YAML-to-JSON does.
    init(yaml node: Node) throws(YAMLReadError) {
        switch node {
        case .alias:
            throw YAMLReadError(message: "YAML aliases are not supported", line: node.mark?.line)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for child in sequence { items.append(try JSONValue(yaml: child)) }
            self = .array(items)
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw YAMLReadError(message: "mapping keys must be strings", line: key.mark?.line)
                }
                if fields[scalar.string] != nil {
                    throw YAMLReadError(message: "duplicate key \"\(scalar.string)\"", line: key.mark?.line)
                }
                fields[scalar.string] = try JSONValue(yaml: value)
            }
            self = .object(fields)
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: self = .null
            case .bool: self = node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int, .float: self = node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _):
            if let context { return "\(problem) (\(context.text))" }
            return problem
        case .composer(let context, let problem, _, _):
            if let context { return "\(problem) (\(context.text))" }
            return problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .reader(let problem, _, _, _):
            return problem
        default:
            return "malformed YAML"
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        case .duplicatedKeysInMapping(_, let context):
            return context.mark.line
        default:
            return nil
        }
    }
}
