import Shared
/// One field-level validation failure, formatted exactly like
/// `k8s.io/apimachinery/pkg/util/validation/field.Error`: `Error()` is
/// `<field>: <body>`, and the body is what a `Status` cause's `message` holds.
public struct KubeFieldError: Sendable, Hashable, CustomStringConvertible {
    /// `field.ErrorType`: the cause's `reason`.
    public enum ErrorType: String, Sendable, Hashable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case `internal` = "InternalError"
        case typeInvalid = "FieldValueTypeInvalid"

        /// `ErrorType.String()`.
        public var text: String {
            switch self {
            case .notFound: "Not found"
            case .required: "Required value"
            case .duplicate: "Duplicate value"
            case .invalid, .typeInvalid: "Invalid value"
            case .notSupported: "Unsupported value"
            case .forbidden: "Forbidden"
            case .tooLong: "Too long"
            case .tooMany: "Too many"
            case .internal: "Internal error"
            }
        }
    }

    public var type: ErrorType
    /// The path, e.g. `spec.objects[0].resource`; `<nil>` for errors without one (as Go prints a nil path).
    public var field: String
    /// The offending value; nil when the body leaves it out.
    public var badValue: KubeGoValue?
    public var detail: String

    public init(type: ErrorType, field: String, badValue: KubeGoValue?, detail: String) {
        self.type = type
        self.field = field
        self.badValue = badValue
        self.detail = detail
    }

    /// `field.Error.ErrorBody()`, the cause's `message`.
    public var body: String {
        var text: String
        switch type {
        case .required, .forbidden, .tooLong, .internal:
            text = type.text
        default:
            text = badValue.map { "\(type.text): \($0.formatted)" } ?? type.text
        }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    /// `field.Error.Error()`.
    public var description: String { "\(field): \(body)" }

    /// The `Status` cause: `{reason, message, field}` (empty members left out, as Go's `omitempty` does).
    public var cause: JSONValue {
        var fields: [String: JSONValue] = ["reason": .string(type.rawValue)]
        if !body.isEmpty { fields["message"] = .string(body) }
        if !field.isEmpty { fields["field"] = .string(field) }
        return .object(fields)
    }

    /// `field.ErrorList.ToAggregate().Error()`: duplicates dropped, one error as is,
    /// several as `[a, b]`.
    public static func aggregate(_ errors: [KubeFieldError]) -> String {
        var seen = Set<String>()
        var messages: [String] = []
        for error in errors where seen.insert(error.description).inserted {
            messages.append(error.description)
        }
        return messages.count == 1 ? messages[0] : "[" + messages.joined(separator: ", ") + "]"
    }

    static func required(_ field: String, _ detail: String = "") -> KubeFieldError {
        KubeFieldError(type: .required, field: field, badValue: .string(""), detail: detail)
    }

    static func invalid(_ field: String, _ value: KubeGoValue, _ detail: String) -> KubeFieldError {
        KubeFieldError(type: .invalid, field: field, badValue: value, detail: detail)
    }

    static func duplicate(_ field: String, _ value: KubeGoValue) -> KubeFieldError {
        KubeFieldError(type: .duplicate, field: field, badValue: value, detail: "")
    }
}

/// A value as Go holds it in a validation error: decoded JSON (integers as `int64`,
/// other numbers as `float64`), or a number Go handles as `float64` even when integral.
public enum KubeGoValue: Sendable, Hashable {
    case json(JSONValue)
    case float(Double)

    static func string(_ text: String) -> KubeGoValue { .json(.string(text)) }
    static func integer(_ value: Int) -> KubeGoValue { .json(.number(Double(value))) }

    /// How `ErrorBody` prints it.
    public var formatted: String {
        switch self {
        case .json(let value): KubeGoFormat.badValue(value)
        case .float(let value): KubeGoFormat.float(value)
        }
    }
}
