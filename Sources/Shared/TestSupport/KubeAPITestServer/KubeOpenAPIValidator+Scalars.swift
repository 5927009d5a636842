import Shared
extension KubeOpenAPIValidator {
    /// The JSON type and format Go infers for a decoded value (`typeValidator.schemaInfoForType`).
    static func typeInfo(_ data: JSONValue) -> (type: String, format: String) {
        switch data {
        case .null: ("null", "")
        case .bool: ("boolean", "")
        case .string: ("string", "")
        case .number(let number): KubeGoFormat.integer(number) != nil ? ("integer", "int64") : ("number", "float64")
        case .array: ("array", "")
        case .object: ("object", "")
        }
    }

    /// `typeValidator.Validate` for a non-null value, including its quirks: a format on a
    /// non-string value is checked against Go's format of the value, and a list given for
    /// a string-with-format passes the type check.
    mutating func checkType(_ data: JSONValue, _ schema: KubeSchemaNode, path: String) {
        let format = schema.format ?? ""
        guard !schema.types.isEmpty || !format.isEmpty else { return }
        let (type, dataFormat) = Self.typeInfo(data)
        var isFloatInt = false
        if case .number(let number) = data, type == "number" {
            isFloatInt = KubeGoFormat.isJSONInteger(number) && schema.types.contains("integer")
        }
        let isIntFloat = type == "integer" && schema.types.contains("number")
        let stringOrList = type == "string" || type == "array"
        if !stringOrList, !format.isEmpty,
            !(schema.types.contains(type) || dataFormat == format || isFloatInt || isIntFloat)
        {
            return record(.invalidType(path, format, dataFormat))
        }
        if !(schema.types.contains("number") || schema.types.contains("integer")), !format.isEmpty, stringOrList {
            return
        }
        if !(schema.types.contains(type) || isFloatInt || isIntFloat) {
            record(.invalidType(path, schema.types.joined(separator: ","), type))
        }
    }

    /// `stringValidator`: maxLength, minLength, pattern; the first failure ends the check.
    /// Lengths count Unicode code points, as Go's `utf8.RuneCount` does.
    mutating func checkString(_ text: String, _ schema: KubeSchemaNode, path: String) {
        let length = Int64(text.unicodeScalars.count)
        if let maxLength = schema.maxLength, length > maxLength {
            return record(.tooLong(path, maxLength, text))
        }
        if let minLength = schema.minLength, length < minLength {
            return record(.tooShort(path, minLength, text))
        }
        if let pattern = schema.pattern, !pattern.matches(text) {
            record(.pattern(path, pattern.source, text))
        }
    }

    /// `formatValidator`: a string against the format registry (`errors.InvalidType` with the format name).
    mutating func checkFormat(_ text: String, _ schema: KubeSchemaNode, path: String) {
        guard let format = schema.format, !KubeSchemaFormats.isValid(text, format: format) else { return }
        record(.invalidType(path, format, text))
    }

    /// `numberValidator`: the integer range check, then multipleOf, minimum, maximum.
    /// An `int64` value is compared with the bound truncated to `int64` (and printed as
    /// one) when the bound fits the schema's type, as `MinimumNativeType` does; otherwise
    /// both are compared and printed as `float64`.
    mutating func checkNumber(_ number: Double, _ schema: KubeSchemaNode, path: String) {
        let typeName = schema.types.count == 1 ? schema.types[0] : ""
        let integer = KubeGoFormat.integer(number)
        if typeName == "integer", integer == nil {
            record(
                KubeOpenAPIFailure(
                    code: .plain, name: path, message: "Checked value must be of type integer (default format) in \(path)"))
        }
        /// `MinimumNativeType`'s int64 comparison: the value and the bound truncated to
        /// int64, when the value is an int64 and the bound fits the schema's type.
        func native(_ bound: Double) -> (value: Int64, bound: Int64)? {
            guard let integer, typeName != "integer" || KubeGoFormat.integer(bound) != nil else { return nil }
            return (integer, Int64(exactly: bound.rounded(.towardZero)) ?? (bound < 0 ? .min : .max))
        }
        if let factor = schema.multipleOf { checkMultiple(number, native(factor), factor, path) }
        if let minimum = schema.minimum {
            checkBound(number, native(minimum), minimum, schema.exclusiveMinimum, path, below: true)
        }
        if let maximum = schema.maximum {
            checkBound(number, native(maximum), maximum, schema.exclusiveMaximum, path, below: false)
        }
    }

    private mutating func checkBound(
        _ number: Double, _ native: (value: Int64, bound: Int64)?, _ bound: Double, _ exclusive: Bool, _ path: String,
        below: Bool
    ) {
        let failed: Bool
        let printedBound: String
        let value: KubeGoValue
        if let native {
            failed = below
                ? (exclusive ? native.value <= native.bound : native.value < native.bound)
                : (exclusive ? native.value >= native.bound : native.value > native.bound)
            printedBound = String(native.bound)
            value = .json(.number(number))
        } else {
            failed = below ? (exclusive ? number <= bound : number < bound) : (exclusive ? number >= bound : number > bound)
            printedBound = KubeGoFormat.float(bound)
            value = .float(number)
        }
        guard failed else { return }
        let relation = below
            ? (exclusive ? "greater than" : "greater than or equal to") : (exclusive ? "less than" : "less than or equal to")
        record(
            KubeOpenAPIFailure(
                code: below ? .minimum : .maximum, name: path, value: value,
                message: "\(path) in body should be \(relation) \(printedBound)"))
    }

    private mutating func checkMultiple(
        _ number: Double, _ native: (value: Int64, bound: Int64)?, _ factor: Double, _ path: String
    ) {
        if let native {
            let divisor = native.bound
            guard divisor > 0 else {
                return record(
                    KubeOpenAPIFailure(
                        code: .multipleOfMustBePositive, name: path, value: .json(.number(Double(divisor))),
                        message: "factor MultipleOf declared for \(path) must be positive: \(divisor)"))
            }
            guard native.value % divisor != 0 else { return }
            return record(
                KubeOpenAPIFailure(
                    code: .multipleOf, name: path, value: .json(.number(number)),
                    message: "\(path) in body should be a multiple of \(divisor)"))
        }
        guard factor > 0 else {
            return record(
                KubeOpenAPIFailure(
                    code: .multipleOfMustBePositive, name: path, value: .float(factor),
                    message: "factor MultipleOf declared for \(path) must be positive: \(KubeGoFormat.float(factor))"))
        }
        let quotient = factor < 1 ? 1 / factor * number : number / factor
        guard !KubeGoFormat.isJSONInteger(quotient) else { return }
        record(
            KubeOpenAPIFailure(
                code: .multipleOf, name: path, value: .float(number),
                message: "\(path) in body should be a multiple of \(KubeGoFormat.float(factor))"))
    }
}
