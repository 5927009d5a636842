/// `metav1.LabelSelector` as it appears in a metric value's `selector`
/// (docs/metrics-api.md, "Custom metric values (v1beta1 and v1beta2)").
public struct MetricSelectorJSON: GoJSONEncodable, Hashable {
    /// One `matchExpressions` entry.
    public struct Requirement: Sendable, Hashable {
        public var key: String
        /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
        public var `operator`: String
        /// Omitted when empty.
        public var values: [String]

        /// Creates a requirement.
        public init(key: String, operator: String, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }
    }

    /// Exact-match labels; rendered with keys in Go's map order (byte-wise sorted).
    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    /// Creates a selector.
    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// `matchLabels` then `matchExpressions`, both omitted when empty.
    public var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        if !matchLabels.isEmpty {
            object.add("matchLabels", GoJSON.sortedStringMap(matchLabels))
        }
        if !matchExpressions.isEmpty {
            object.add("matchExpressions", .array(matchExpressions.map(\.goJSON)))
        }
        return object.object
    }

    /// The `selector` field value: the selector, or `null` when there is none (not omitempty).
    public static func json(_ selector: MetricSelectorJSON?) -> GoJSON {
        selector?.goJSON ?? .null
    }
}

extension MetricSelectorJSON.Requirement {
    var goJSON: GoJSON {
        var object = GoJSONObjectBuilder()
        object.add("key", .string(key))
        object.add("operator", .string(`operator`))
        object.addOmitEmpty("values", values)
        return object.object
    }
}

extension GoJSON {
    /// A `map[string]string`: Go's encoder sorts map keys by their UTF-8 bytes.
    public static func sortedStringMap(_ map: [String: String]) -> GoJSON {
        let keys = map.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return .object(keys.map { ($0, .string(map[$0] ?? "")) })
    }
}
