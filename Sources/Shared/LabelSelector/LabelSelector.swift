/// A Kubernetes label selector in its string form, with the semantics of
/// `k8s.io/apimachinery/pkg/labels` (`Parse`, `String`, `Matches`).
///
/// Requirements are joined by `,` and all must hold: `k=v`, `k==v`, `k!=v`,
/// `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>n`, `k<n`. The empty selector
/// matches everything.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// How a requirement relates a key to its values.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// `k=v` or `k==v`: the label is present and equal to the value.
        case equals
        /// `k!=v`: the label is absent or differs from the value.
        case notEquals
        /// `k in (a,b)`: the label is present and one of the values.
        case `in`
        /// `k notin (a,b)`: the label is absent or none of the values.
        case notIn
        /// `k`: the label is present.
        case exists
        /// `!k`: the label is absent.
        case doesNotExist
        /// `k>n`: the label is present, an integer, and greater than n.
        case greaterThan
        /// `k<n`: the label is present, an integer, and less than n.
        case lessThan
    }

    /// The requirements, sorted by key, then operator, then values (Go sorts by key).
    public var requirements: [Requirement]

    /// A selector of the given requirements, sorted into canonical order.
    public init(requirements: [Requirement] = []) {
        self.requirements = requirements.sorted(by: Requirement.canonicalOrder)
    }

    /// A selector requiring each label to equal its value (like Go's `ValidatedSelectorFromSet`).
    public init(matchLabels: [String: String]) throws(LabelSelectorError) {
        var requirements: [Requirement] = []
        for (key, value) in matchLabels {
            requirements.append(try Requirement(key: key, op: .equals, values: [value]))
        }
        self.init(requirements: requirements)
    }

    /// Parses the string form; `""` (or only whitespace) is the empty selector.
    public static func parse(_ text: String) throws(LabelSelectorError) -> LabelSelector {
        var parser = LabelSelectorParser(text)
        return LabelSelector(requirements: try parser.parse())
    }

    /// True when the selector has no requirements and therefore matches everything.
    public var isEmpty: Bool { requirements.isEmpty }

    /// Go's canonical form, e.g. `a=b,c in (x,y),!d`; `""` when empty.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    /// True when every requirement matches `labels`.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// The value `label` must equal, if a single `=` / `in` requirement pins it (Go's `RequiresExactMatch`).
    public func requiredValue(for label: String) -> String? {
        guard let requirement = requirements.first(where: { $0.key == label }) else { return nil }
        switch requirement.op {
        case .equals, .in:
            return requirement.values.count == 1 ? requirement.values[0] : nil
        default:
            return nil
        }
    }
}
