import Foundation
import Shared

/// Answers a parsed `SimulatedPromQL` from a `World` at one instant, with each
/// entity seen as a Prometheus series (`World.prometheusLabels`).
struct SimulatedPromQLEvaluator: Sendable {
    struct Series {
        var labels: [String: String]
        var value: Double
    }

    let world: SysdigSimulator.World
    let now: Date

    /// The Prometheus `data` object: `{"resultType":"vector"|"scalar","result":...}`.
    func answer(_ query: SimulatedPromQL) -> [String: Any] {
        let time = now.timeIntervalSince1970
        if case .number(let value) = query.expression {
            return ["resultType": "scalar", "result": [time, Self.format(value)]]
        }
        let result = evaluate(query.expression).sorted { Self.sortKey($0.labels).lexicographicallyPrecedes(Self.sortKey($1.labels)) }
        return [
            "resultType": "vector",
            "result": result.map { ["metric": $0.labels, "value": [time, Self.format($0.value)]] },
        ]
    }

    private static func sortKey(_ labels: [String: String]) -> [String] {
        labels.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
    }

    /// Prometheus' spellings: `NaN`, `+Inf`, `-Inf`, else the shortest decimal.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    private func evaluate(_ expression: SimulatedPromQL.Expression) -> [Series] {
        switch expression {
        case .number(let value):
            return [Series(labels: [:], value: value)]
        case .instant(let selector):
            return matching(selector).compactMap { labels, metric, entity in
                metric.value(entity, now).map { Series(labels: labels, value: $0) }
            }
        case .range(let function, let selector, let seconds):
            let end = Int(now.timeIntervalSince1970)
            return matching(selector).compactMap { labels, metric, entity in
                var labels = labels
                labels["__name__"] = nil
                return rangeValue(function, from: end - seconds, to: end) { metric.value(entity, $0) }
                    .map { Series(labels: labels, value: $0) }
            }
        case .aggregate(let op, let names, let without, let inner):
            var groups: [[String: String]: [Double]] = [:]
            for series in evaluate(inner) {
                let key = without
                    ? series.labels.filter { !names.contains($0.key) && $0.key != "__name__" }
                    : series.labels.filter { names.contains($0.key) }
                groups[key, default: []].append(series.value)
            }
            return groups.map { key, values in
                let value: Double
                switch op {
                case "sum": value = values.reduce(0, +)
                case "min": value = values.min() ?? .nan
                case "max": value = values.max() ?? .nan
                case "count": value = Double(values.count)
                default: value = values.reduce(0, +) / Double(values.count)
                }
                return Series(labels: key, value: value)
            }
        case .scale(let inner, let op, let factor):
            return evaluate(inner).map { series in
                var labels = series.labels
                labels["__name__"] = nil
                return Series(labels: labels, value: op == "*" ? series.value * factor : series.value / factor)
            }
        }
    }

    private func rangeValue(_ function: String, from: Int, to: Int, value: (Date) -> Double?) -> Double? {
        switch function {
        case "rate", "irate": return SimulatedDataEvaluator.timeAggregate("rateOfChange", from: from, to: to, value: value)
        case "increase":
            return SimulatedDataEvaluator.timeAggregate("rateOfChange", from: from, to: to, value: value)
                .map { $0 * Double(to - from) }
        case "sum_over_time": return SimulatedDataEvaluator.timeAggregate("sum", from: from, to: to, value: value)
        case "min_over_time": return SimulatedDataEvaluator.timeAggregate("min", from: from, to: to, value: value)
        case "max_over_time": return SimulatedDataEvaluator.timeAggregate("max", from: from, to: to, value: value)
        case "count_over_time":
            return SimulatedDataEvaluator.timeAggregate("sum", from: from, to: to) { value($0).map { _ in 1 } }
        default: return SimulatedDataEvaluator.timeAggregate("avg", from: from, to: to, value: value)
        }
    }

    /// Every (entity, metric) series the selector matches, with its labels.
    private func matching(
        _ selector: SimulatedPromQL.Selector
    ) -> [(labels: [String: String], metric: SysdigSimulator.World.Metric, entity: [String: String])] {
        var found: [([String: String], SysdigSimulator.World.Metric, [String: String])] = []
        for metric in world.metrics where selector.metric == nil || selector.metric == metric.prometheusName {
            for entity in world.entities {
                var labels = world.prometheusLabels(entity)
                labels["__name__"] = metric.prometheusName
                guard selector.matchers.allSatisfy({ Self.matches($0, labels[$0.label] ?? "") }) else { continue }
                found.append((labels, metric, entity))
            }
        }
        return found
    }

    static func matches(_ matcher: SimulatedPromQL.Matcher, _ value: String) -> Bool {
        switch matcher.op {
        case "=": return value == matcher.value
        case "!=": return value != matcher.value
        default:
            let pattern = try? NSRegularExpression(pattern: "^(?:" + matcher.value + ")$")
            let range = NSRange(value.startIndex..., in: value)
            let hit = pattern?.firstMatch(in: value, range: range) != nil
            return matcher.op == "=~" ? hit : !hit
        }
    }
}
