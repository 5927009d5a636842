import Shared
/// One failure of kube-openapi's schema validator (`errors.Validation`, or a plain error),
/// and how the API server turns it into a field error
/// (apiextensions-apiserver `validation.kubeOpenAPIResultToFieldErrors`).
struct KubeOpenAPIFailure: Sendable, Hashable {
    enum Code: Sendable, Hashable {
        case invalidType, required, tooLong, tooShort, pattern, enumFail, multipleOf, multipleOfMustBePositive
        case maximum, minimum, tooFewItems, tooManyItems, tooFewProperties, tooManyProperties
        /// A plain `error` (not an `errors.Validation`): reported without a path.
        case plain
    }

    var code: Code
    /// The validator's path (`spec.window`, `.spec` for a required member of the root).
    var name: String
    var value: KubeGoValue?
    /// The limit of a length, items or properties check.
    var limit: Int64?
    var enumValues: [JSONValue] = []
    var message: String

    /// The field error, with `prefix` the path the validator's root is at (nil: the
    /// object root; `status` for the status subresource).
    func fieldError(under prefix: String?) -> KubeFieldError {
        let root = prefix ?? "<nil>"
        if code == .plain { return .invalid(root, .string(""), message) }
        let relative = name.hasPrefix(".") ? String(name.dropFirst()) : name
        let field = name.isEmpty || name == "." ? root : prefix.map { "\($0).\(relative)" } ?? relative
        switch code {
        case .required:
            return .required(field)
        case .enumFail:
            let quoted = enumValues.map { KubeGoFormat.quote($0.stringValue ?? Self.marshal($0)) }
            return KubeFieldError(
                type: .notSupported, field: field, badValue: value ?? .json(.null),
                detail: quoted.isEmpty ? "" : "supported values: " + quoted.joined(separator: ", "))
        case .tooLong:
            let detail = limit.map { "may not be more than \($0) bytes" } ?? "value is too long"
            return KubeFieldError(type: .tooLong, field: field, badValue: .string("<value omitted>"), detail: detail)
        case .tooManyItems, .tooManyProperties:
            let detail = limit.map { "must have at most \($0) items" } ?? "too many items"
            return KubeFieldError(type: .tooMany, field: field, badValue: value, detail: detail)
        case .invalidType:
            return KubeFieldError(type: .typeInvalid, field: field, badValue: value ?? .string(""), detail: message)
        default:
            return .invalid(field, value ?? .string(""), message)
        }
    }

    /// `json.Marshal` of an enum member that is not a string.
    private static func marshal(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): KubeGoFormat.number(number)
        case .string(let text): KubeGoFormat.quote(text)
        case .array, .object: String(decoding: value.jsonData(), as: UTF8.self)
        }
    }
}

extension KubeOpenAPIFailure {
    /// `errors.InvalidType` with the data as a string (`typeFailWithData`).
    static func invalidType(_ path: String, _ typeName: String, _ value: String) -> KubeOpenAPIFailure {
        KubeOpenAPIFailure(
            code: .invalidType, name: path, value: .string(value),
            message: "\(path) in body must be of type \(typeName): \(KubeGoFormat.quote(value))")
    }

    static func required(_ path: String) -> KubeOpenAPIFailure {
        KubeOpenAPIFailure(code: .required, name: path, message: "\(path) in body is required")
    }

    /// `errors.EnumFail`: the message prints the allowed values with Go's `%v` of a slice.
    static func enumFail(_ path: String, _ data: JSONValue, _ values: [JSONValue]) -> KubeOpenAPIFailure {
        let listed = values.map { $0.stringValue ?? KubeGoFormat.badValue($0) }.joined(separator: " ")
        return KubeOpenAPIFailure(
            code: .enumFail, name: path, value: .json(data), enumValues: values,
            message: "\(path) in body should be one of [\(listed)]")
    }

    static func tooLong(_ path: String, _ limit: Int64, _ data: String) -> KubeOpenAPIFailure {
        KubeOpenAPIFailure(
            code: .tooLong, name: path, value: .string(data), limit: limit,
            message: "\(path) in body should be at most \(limit) chars long")
    }

    static func tooShort(_ path: String, _ limit: Int64, _ data: String) -> KubeOpenAPIFailure {
        KubeOpenAPIFailure(
            code: .tooShort, name: path, value: .string(data), limit: limit,
            message: "\(path) in body should be at least \(limit) chars long")
    }

    static func pattern(_ path: String, _ pattern: String, _ data: String) -> KubeOpenAPIFailure {
        KubeOpenAPIFailure(
            code: .pattern, name: path, value: .string(data), message: "\(path) in body should match '\(pattern)'")
    }

    static func items(_ path: String, tooMany: Bool, limit: Int64, size: Int) -> KubeOpenAPIFailure {
        KubeOpenAPIFailure(
            code: tooMany ? .tooManyItems : .tooFewItems, name: path, value: .integer(size), limit: limit,
            message: "\(path) in body should have \(tooMany ? "at most" : "at least") \(limit) items")
    }

    static func properties(_ path: String, tooMany: Bool, limit: Int64, size: Int) -> KubeOpenAPIFailure {
        KubeOpenAPIFailure(
            code: tooMany ? .tooManyProperties : .tooFewProperties, name: path, value: .integer(size), limit: limit,
            message: "\(path) in body should have \(tooMany ? "at most" : "at least") \(limit) properties")
    }
}
