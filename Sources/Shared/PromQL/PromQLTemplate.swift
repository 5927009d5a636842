/// A `spec.promql.query` template: PromQL with placeholders the adapter fills in per request.
///
/// - `<<.LabelMatchers>>`: inside a selector's braces, the matchers for the described
///   object(s): cluster, namespace, object name (or the selector's terms) and the
///   metric label selector, e.g. `kube_namespace_name="shop",kube_pod_name="web-1"`.
/// - `<<.GroupBy>>`: inside `by (...)`, the label naming one object (`kube_pod_name`);
///   empty for external metrics.
/// - `<<.Window>>`: inside `[...]`, the mapping's window as a PromQL duration (`1m`).
///
/// The template is parsed once with the placeholders as grammar elements, so a
/// placeholder in the wrong place (or inside a string) is an error with a position.
/// Values reach the query only through `PromQLLiteral`.
public struct PromQLTemplate: Sendable, Hashable {
    /// The placeholders a template may use.
    public enum Placeholder: String, Sendable, Hashable, CaseIterable {
        case labelMatchers = "LabelMatchers"
        case groupBy = "GroupBy"
        case window = "Window"

        var context: PromQLParser.PlaceholderContext {
            switch self {
            case .labelMatchers: .matchers
            case .groupBy: .grouping
            case .window: .duration
            }
        }

        /// `<<.LabelMatchers>>`.
        public var token: String { "<<.\(rawValue)>>" }
    }

    /// What one request substitutes.
    public struct Values: Sendable, Hashable {
        /// Rendered matchers, e.g. `kube_pod_name="web-1"` (from `PromQLMatcher.rendered`).
        public var labelMatchers: [String]
        /// Label names, already checked with `PromQLLiteral.isLabelName`.
        public var groupBy: [String]
        /// A PromQL duration from `PromQLLiteral.duration`.
        public var window: String

        public init(labelMatchers: [String], groupBy: [String], window: String) {
            self.labelMatchers = labelMatchers
            self.groupBy = groupBy
            self.window = window
        }
    }

    private enum Segment: Sendable, Hashable {
        case text(String)
        case placeholder(Placeholder)
    }

    /// The template as written.
    public let text: String
    /// The placeholders it uses.
    public let placeholders: Set<Placeholder>
    private let segments: [Segment]
    /// Vector selectors without `<<.LabelMatchers>>`, with their positions: they read
    /// series that neither the cluster, the namespace nor the object narrows. A
    /// `SysdigMetricMapping` may have none (its tenant would read other namespaces).
    public let unscopedSelectors: [PromQLError]

    static let unscopedMessage =
        "this selector has no <<.LabelMatchers>>, so it reads every namespace's (and cluster's) series"

    private init(text: String, placeholders: Set<Placeholder>, segments: [Segment], unscopedSelectors: [PromQLError]) {
        self.text = text
        self.placeholders = placeholders
        self.segments = segments
        self.unscopedSelectors = unscopedSelectors
    }

    /// Parses and checks a template: PromQL syntax and types, placeholder placement,
    /// an instant-vector or scalar result, `<<.LabelMatchers>>` present, and that the
    /// result of substituting sample values parses.
    public static func parse(_ text: String) throws(PromQLError) -> PromQLTemplate {
        let contexts = Dictionary(uniqueKeysWithValues: Placeholder.allCases.map { ($0.rawValue, $0.context) })
        let (type, uses, unscoped) = try PromQLParser.parseDetailed(text, placeholders: contexts)
        guard type == .vector || type == .scalar else {
            throw PromQLError(
                line: 1, column: 1,
                message: "the query must return an instant vector or a scalar, not a \(type.rawValue)")
        }
        let scalars = Array(text.unicodeScalars)
        var segments: [Segment] = []
        var cursor = 0
        var used: Set<Placeholder> = []
        for use in uses.sorted(by: { $0.offset < $1.offset }) {
            guard let placeholder = Placeholder(rawValue: use.name) else { continue }
            segments.append(.text(String(String.UnicodeScalarView(scalars[cursor..<use.offset]))))
            segments.append(.placeholder(placeholder))
            used.insert(placeholder)
            cursor = use.endOffset
        }
        segments.append(.text(String(String.UnicodeScalarView(scalars[cursor...]))))
        guard used.contains(.labelMatchers) else {
            throw PromQLError(
                line: 1, column: 1,
                message: "the template must use <<.LabelMatchers>> inside a selector, e.g. metric{<<.LabelMatchers>>}; without it every object would get the same value")
        }
        let template = PromQLTemplate(
            text: text, placeholders: used, segments: segments,
            unscopedSelectors: unscoped.map { PromQLError(line: $0.line, column: $0.column, message: Self.unscopedMessage) })
        try template.checkRendering(Values(
            labelMatchers: [#"kube_namespace_name="sample""#, #"kube_pod_name=~"a|b""#],
            groupBy: ["kube_pod_name"], window: "1m"))
        return template
    }

    /// Throws unless substituting `values` gives a query that parses.
    public func checkRendering(_ values: Values) throws(PromQLError) {
        let rendered = render(values)
        do throws(PromQLError) {
            let (type, _) = try PromQLParser.parse(rendered)
            guard type == .vector || type == .scalar else {
                throw PromQLError(line: 1, column: 1, message: "the query returns a \(type.rawValue)")
            }
        } catch {
            throw PromQLError(
                line: error.line, column: error.column,
                message: "after substitution (\(rendered)): \(error.message)")
        }
    }

    /// Substitutes `values`. An empty matcher or group-by list also drops one
    /// neighbouring comma, so `m{job="x",<<.LabelMatchers>>}` stays valid PromQL.
    public func render(_ values: Values) -> String {
        var pieces: [String] = segments.map { segment in
            switch segment {
            case .text(let text): text
            case .placeholder: ""
            }
        }
        for (index, segment) in segments.enumerated() {
            guard case .placeholder(let placeholder) = segment else { continue }
            let list: [String]
            switch placeholder {
            case .labelMatchers: list = values.labelMatchers
            case .groupBy: list = values.groupBy
            case .window:
                pieces[index] = values.window
                continue
            }
            if !list.isEmpty {
                pieces[index] = list.joined(separator: ",")
            } else if index + 1 < pieces.count, let after = Self.droppingLeadingComma(pieces[index + 1]) {
                pieces[index + 1] = after
            } else if index > 0, let before = Self.droppingTrailingComma(pieces[index - 1]) {
                pieces[index - 1] = before
            }
        }
        return pieces.joined()
    }

    private static func droppingLeadingComma(_ text: String) -> String? {
        let trimmed = text.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        guard trimmed.first == "," else { return nil }
        return String(trimmed.dropFirst())
    }

    private static func droppingTrailingComma(_ text: String) -> String? {
        var trimmed = Substring(text)
        while let last = trimmed.last, last == " " || last == "\t" || last == "\n" { trimmed.removeLast() }
        guard trimmed.last == "," else { return nil }
        return String(trimmed.dropLast())
    }

    public static func == (lhs: PromQLTemplate, rhs: PromQLTemplate) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// One label matcher built by the translator: `name op "value"`.
public struct PromQLMatcher: Sendable, Hashable {
    /// `=`, `!=`, `=~`, `!~`.
    public enum Operator: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public var name: String
    public var op: Operator
    /// For regex operators: the regex source, already built with `PromQLLiteral.regexQuoteMeta`.
    public var value: String

    public init(_ name: String, _ op: Operator, _ value: String) {
        self.name = name
        self.op = op
        self.value = value
    }

    /// `name="value"`, the value through `PromQLLiteral.quote`.
    public var rendered: String { name + op.rawValue + PromQLLiteral.quote(value) }
}
