extension LabelSelector {
    /// One validated requirement of a label selector (Go's `labels.Requirement`).
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        /// The label key, `[prefix/]name`.
        public let key: String
        /// The operator.
        public let op: Operator
        /// The values, sorted and deduplicated; empty for `exists`/`doesNotExist`.
        public let values: [String]

        /// Validates like Go's `NewRequirement`: a valid key; `in`/`notIn` need ≥1 value,
        /// `equals`/`notEquals` exactly one, `exists`/`doesNotExist` none, `greaterThan`/`lessThan`
        /// exactly one integer; every value must be a valid label value (empty allowed).
        public init(key: String, op: Operator, values: [String] = []) throws(LabelSelectorError) {
            if let problem = LabelSyntax.keyProblem(key) {
                throw LabelSelectorError(message: problem)
            }
            if let problem = Self.arityProblem(op: op, values: values) {
                throw LabelSelectorError(message: "invalid requirement on key \(LabelSyntax.quoted(key)): \(problem)")
            }
            if let problem = Self.valuesProblem(key: key, values: values) {
                throw LabelSelectorError(message: problem)
            }
            self.init(validatedKey: key, op: op, values: values)
        }

        /// For callers that have run `keyProblem`, `arityProblem` and `valuesProblem` themselves.
        init(validatedKey key: String, op: Operator, values: [String]) {
            self.key = key
            self.op = op
            self.values = Array(Set(values)).sorted()
        }

        /// `key=value`
        public static func equals(_ key: String, _ value: String) throws(LabelSelectorError) -> Requirement {
            try Requirement(key: key, op: .equals, values: [value])
        }

        /// `key in (values)`
        public static func isIn(_ key: String, _ values: [String]) throws(LabelSelectorError) -> Requirement {
            try Requirement(key: key, op: .in, values: values)
        }

        /// `key` (the label must be present)
        public static func exists(_ key: String) throws(LabelSelectorError) -> Requirement {
            try Requirement(key: key, op: .exists)
        }

        /// The first invalid value's problem, or nil.
        static func valuesProblem(key: String, values: [String]) -> String? {
            values.lazy.compactMap { LabelSyntax.valueProblem($0, key: key) }.first
        }

        /// Go's operator/value-count rules, or nil when `values` suits `op`.
        static func arityProblem(op: Operator, values: [String]) -> String? {
            switch op {
            case .in, .notIn:
                return values.isEmpty ? "for 'in', 'notin' operators, values set can't be empty" : nil
            case .equals, .notEquals:
                return values.count == 1 ? nil : "exact-match compatibility requires one single value"
            case .exists, .doesNotExist:
                return values.isEmpty ? nil : "values set must be empty for exists and does not exist"
            case .greaterThan, .lessThan:
                guard values.count == 1 else { return "for '>', '<' operators, exactly one value is required" }
                return Int64(values[0]) == nil
                    ? "for '>', '<' operators, the value must be an integer, got \(LabelSyntax.quoted(values[0]))"
                    : nil
            }
        }

        /// Go's canonical text: `k=v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>n`, `k<n`.
        public var description: String {
            let joined = values.joined(separator: ",")
            switch op {
            case .equals: return key + "=" + joined
            case .notEquals: return key + "!=" + joined
            case .in: return key + " in (" + joined + ")"
            case .notIn: return key + " notin (" + joined + ")"
            case .exists: return key
            case .doesNotExist: return "!" + key
            case .greaterThan: return key + ">" + joined
            case .lessThan: return key + "<" + joined
            }
        }

        /// Go's `Requirement.Matches`.
        public func matches(_ labels: [String: String]) -> Bool {
            let actual = labels[key]
            switch op {
            case .equals, .in:
                guard let actual else { return false }
                return values.contains(actual)
            case .notEquals, .notIn:
                guard let actual else { return true }
                return !values.contains(actual)
            case .exists:
                return actual != nil
            case .doesNotExist:
                return actual == nil
            case .greaterThan, .lessThan:
                guard let actual, let lhs = Int64(actual), values.count == 1, let rhs = Int64(values[0]) else {
                    return false
                }
                return op == .greaterThan ? lhs > rhs : lhs < rhs
            }
        }

        /// Key, then operator declaration order, then values: deterministic where Go's unstable sort is not.
        static func canonicalOrder(_ lhs: Requirement, _ rhs: Requirement) -> Bool {
            if lhs.key != rhs.key { return lhs.key < rhs.key }
            if lhs.op != rhs.op { return lhs.op.sortIndex < rhs.op.sortIndex }
            return lhs.values.lexicographicallyPrecedes(rhs.values)
        }
    }
}

extension LabelSelector.Operator {
    var sortIndex: Int {
        Self.allCases.firstIndex(of: self) ?? 0
    }
}
