import Foundation
import Shared

/// Targets for the three text grammars users write: scopes, label selectors, PromQL templates.
enum ParserTargets {
    /// Accepted text renders canonically, the rendering parses to the same terms and renders
    /// identically, every term passes the public validating initialiser, and errors point
    /// inside the text (or just past its end).
    static func scope(_ data: Data) throws(InvariantViolation) {
        let text = String(decoding: data, as: UTF8.self)
        let expression: ScopeExpression
        do {
            expression = try ScopeExpression.parse(text)
        } catch {
            if let position = error.position {
                try require(
                    (1...(text.unicodeScalars.count + 1)).contains(position),
                    "error position \(position) outside the text: \(error.message)")
            }
            return
        }
        let rendered = expression.rendered()
        let again: ScopeExpression
        do {
            again = try ScopeExpression.parse(rendered)
        } catch {
            throw InvariantViolation(description: "rendering \(rendered.debugDescription) does not parse: \(error)")
        }
        try require(again == expression, "parse(render(e)) != e for \(rendered.debugDescription)")
        try require(again.rendered() == rendered, "rendering is not canonical: \(rendered.debugDescription)")
        for term in expression.terms {
            guard let rebuilt = try? ScopeTerm(label: term.label, op: term.op, values: term.values, negated: term.negated)
            else {
                throw InvariantViolation(description: "parsed term \(term) is refused by ScopeTerm.init")
            }
            try require(rebuilt == term, "ScopeTerm(...) differs from the parsed term \(term)")
        }
    }

    /// Accepted selectors print in Go's canonical form, which parses back to the same
    /// requirements and prints identically; matching never traps.
    static func labelSelector(_ data: Data) throws(InvariantViolation) {
        let text = String(decoding: data, as: UTF8.self)
        guard let selector = try? LabelSelector.parse(text) else { return }
        let printed = selector.description
        let again: LabelSelector
        do {
            again = try LabelSelector.parse(printed)
        } catch {
            throw InvariantViolation(description: "canonical form \(printed.debugDescription) does not parse: \(error)")
        }
        try require(again == selector, "parse(print(s)) != s for \(printed.debugDescription)")
        try require(again.description == printed, "printing is not canonical: \(printed.debugDescription)")
        var labels: [String: String] = [:]
        for requirement in selector.requirements {
            labels[requirement.key] = requirement.values.first ?? ""
            _ = selector.requiredValue(for: requirement.key)
        }
        _ = selector.matches(labels)
        _ = selector.matches([:])
    }

    static let renderings: [PromQLTemplate.Values] = [
        .init(labelMatchers: [#"kube_namespace_name="shop""#], groupBy: ["kube_pod_name"], window: "1m"),
        .init(labelMatchers: [#"kube_cluster_name="prod""#, #"kube_pod_name=~"web-1|web-2""#], groupBy: [], window: "1h30m"),
        .init(labelMatchers: [], groupBy: [], window: "10s"),
    ]

    /// Accepted templates render without trapping for every shape of values the
    /// translator produces, and a check that passed once passes again.
    static func promQLTemplate(_ data: Data) throws(InvariantViolation) {
        let text = String(decoding: data, as: UTF8.self)
        guard let template = try? PromQLTemplate.parse(text) else { return }
        let sample = PromQLTemplate.Values(
            labelMatchers: [#"kube_namespace_name="sample""#, #"kube_pod_name=~"a|b""#],
            groupBy: ["kube_pod_name"], window: "1m")
        do {
            try template.checkRendering(sample)
        } catch {
            throw InvariantViolation(description: "accepted template fails its own sample rendering: \(error)")
        }
        for values in renderings {
            let rendered = template.render(values)
            try require(!rendered.isEmpty, "empty rendering of \(text.debugDescription)")
            _ = try? template.checkRendering(values)
        }
        let again = try? PromQLTemplate.parse(template.text)
        try require(again?.placeholders == template.placeholders, "re-parsing the template changes its placeholders")
    }
}
