/// The type of a PromQL expression, as the parser tracks it.
enum PromQLType: String, Sendable, Hashable {
    case scalar
    case vector = "instant vector"
    case matrix = "range vector"
    case string
}

/// Function and aggregation signatures the parser knows (Prometheus 2.x/3.x).
enum PromQLFunctions {
    struct Signature: Sendable {
        var arguments: [PromQLType]
        /// How many trailing arguments may be left out.
        var optional: Int = 0
        /// The last argument may repeat (label_join).
        var variadic: Bool = false
        var returns: PromQLType
    }

    static let signatures: [String: Signature] = {
        var table: [String: Signature] = [:]
        for name in [
            "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes", "avg_over_time",
            "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "stddev_over_time",
            "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time", "mad_over_time",
            "first_over_time", "ts_of_max_over_time", "ts_of_min_over_time", "ts_of_last_over_time",
        ] {
            table[name] = Signature(arguments: [.matrix], returns: .vector)
        }
        for name in [
            "abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn", "absent", "timestamp", "sort",
            "sort_desc", "acos", "asin", "atan", "cos", "sin", "tan", "acosh", "asinh", "atanh", "cosh", "sinh",
            "tanh", "deg", "rad", "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev",
            "histogram_stdvar",
        ] {
            table[name] = Signature(arguments: [.vector], returns: .vector)
        }
        for name in ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"] {
            table[name] = Signature(arguments: [.vector], optional: 1, returns: .vector)
        }
        table["round"] = Signature(arguments: [.vector, .scalar], optional: 1, returns: .vector)
        table["clamp"] = Signature(arguments: [.vector, .scalar, .scalar], returns: .vector)
        table["clamp_min"] = Signature(arguments: [.vector, .scalar], returns: .vector)
        table["clamp_max"] = Signature(arguments: [.vector, .scalar], returns: .vector)
        table["histogram_quantile"] = Signature(arguments: [.scalar, .vector], returns: .vector)
        table["histogram_fraction"] = Signature(arguments: [.scalar, .scalar, .vector], returns: .vector)
        table["quantile_over_time"] = Signature(arguments: [.scalar, .matrix], returns: .vector)
        table["predict_linear"] = Signature(arguments: [.matrix, .scalar], returns: .vector)
        table["holt_winters"] = Signature(arguments: [.matrix, .scalar, .scalar], returns: .vector)
        table["double_exponential_smoothing"] = Signature(arguments: [.matrix, .scalar, .scalar], returns: .vector)
        table["label_replace"] = Signature(arguments: [.vector, .string, .string, .string, .string], returns: .vector)
        table["label_join"] = Signature(
            arguments: [.vector, .string, .string, .string], optional: 1, variadic: true, returns: .vector)
        table["sort_by_label"] = Signature(arguments: [.vector, .string], optional: 1, variadic: true, returns: .vector)
        table["sort_by_label_desc"] = Signature(
            arguments: [.vector, .string], optional: 1, variadic: true, returns: .vector)
        table["scalar"] = Signature(arguments: [.vector], returns: .scalar)
        table["vector"] = Signature(arguments: [.scalar], returns: .vector)
        table["time"] = Signature(arguments: [], returns: .scalar)
        table["pi"] = Signature(arguments: [], returns: .scalar)
        return table
    }()

    /// Aggregation operators and the type of their parameter, if they take one.
    static let aggregations: [String: PromQLType?] = [
        "sum": nil, "avg": nil, "count": nil, "min": nil, "max": nil, "stddev": nil, "stdvar": nil, "group": nil,
        "topk": .scalar, "bottomk": .scalar, "quantile": .scalar, "limitk": .scalar, "limit_ratio": .scalar,
        "count_values": .string,
    ]

    /// Binary operator keywords and symbols, loosest first.
    static let precedence: [[String]] = [
        ["or"],
        ["and", "unless"],
        ["==", "!=", "<=", "<", ">=", ">"],
        ["+", "-"],
        ["*", "/", "%", "atan2"],
    ]

    static let comparisons: Set<String> = ["==", "!=", "<=", "<", ">=", ">"]
    static let setOperators: Set<String> = ["and", "or", "unless"]
    /// Words that cannot name a metric.
    static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless",
        "atan2",
    ]
}
