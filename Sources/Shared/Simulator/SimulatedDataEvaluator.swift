import Foundation
import Shared

/// Answers a validated `SimulatedDataQuery` from a `World`: filter, segment, aggregate
/// over time per entity then over entities per segment, rank, page.
struct SimulatedDataEvaluator: Sendable {
    /// How many instants a time window is sampled at (one per 10 s, at most this many).
    static let maxInstants = 12

    private struct Segment {
        var keys: [String?]
        var entities: [[String: String]]
        var rankValue: Double?
    }

    let world: SysdigSimulator.World

    /// The response as a JSON object: `{"data":[...],"start":..,"end":..}`.
    func answer(_ query: SimulatedDataQuery) -> [String: Any] {
        let segments = rankedSegments(query)
        let page = Array(
            segments.dropFirst(query.paging.lowerBound).prefix(query.paging.count))
        var data: [[String: Any]] = []
        if let sampling = query.sampling {
            for slotEnd in stride(from: query.start + sampling, through: query.end, by: sampling) {
                for segment in page {
                    let values = values(query, segment.entities, from: slotEnd - sampling, to: slotEnd)
                    guard values.contains(where: { $0 != nil }) || query.values.isEmpty else { continue }
                    data.append(["t": slotEnd, "d": row(segment.keys, values)])
                }
            }
        } else {
            for segment in page {
                data.append(["d": row(segment.keys, values(query, segment.entities, from: query.start, to: query.end))])
            }
        }
        return ["data": data, "start": query.start, "end": query.end]
    }

    private func row(_ keys: [String?], _ values: [Double?]) -> [Any] {
        let keyCells: [Any] = keys.map { key -> Any in
            if let key { return key }
            return NSNull()
        }
        let valueCells: [Any] = values.map { value -> Any in
            if let value { return value }
            return NSNull()
        }
        return keyCells + valueCells
    }

    /// Segments that have data over the whole window, best first.
    private func rankedSegments(_ query: SimulatedDataQuery) -> [Segment] {
        var byKeys: [[String?]: [[String: String]]] = [:]
        var order: [[String?]] = []
        for entity in world.entities where query.scope.matches(entity) {
            let keys = query.keys.map { entity[$0] }
            if byKeys[keys] == nil { order.append(keys) }
            byKeys[keys, default: []].append(entity)
        }
        var segments: [Segment] = []
        for keys in order {
            let entities = byKeys[keys] ?? []
            let values = values(query, entities, from: query.start, to: query.end)
            guard query.values.isEmpty || values.contains(where: { $0 != nil }) else { continue }
            segments.append(Segment(keys: keys, entities: entities, rankValue: values.first ?? nil))
        }
        let ascending = query.values.first?.group == "min"
        return segments.sorted { lhs, rhs in
            switch (lhs.rankValue, rhs.rankValue) {
            case (let l?, let r?) where l != r: return ascending ? l < r : l > r
            case (.some, nil): return true
            case (nil, .some): return false
            default: return lhs.keys.map { $0 ?? "" }.lexicographicallyPrecedes(rhs.keys.map { $0 ?? "" })
            }
        }
    }

    private func values(_ query: SimulatedDataQuery, _ entities: [[String: String]], from: Int, to: Int) -> [Double?] {
        query.values.map { column in
            guard let metric = world.metric(column.id) else { return nil }
            let perEntity = entities.compactMap { entity in
                Self.timeAggregate(column.time, from: from, to: to) { metric.value(entity, $0) }
            }
            return Self.groupAggregate(column.group, perEntity)
        }
    }

    /// Aggregates one entity's values over `(from, to]`, sampled at up to `maxInstants`
    /// evenly spaced instants ending at `to`. `rateOfChange` is per second.
    static func timeAggregate(
        _ name: String, from: Int, to: Int, value: (Date) -> Double?
    ) -> Double? {
        let span = max(to - from, 1)
        func at(_ seconds: Double) -> Double? {
            value(Date(timeIntervalSince1970: seconds)).flatMap(finite)
        }
        if name == "rateOfChange" {
            guard let first = at(Double(from)), let last = at(Double(to)) else { return nil }
            return (last - first) / Double(span)
        }
        let count = min(max(span / 10, 1), maxInstants)
        let samples = (1...count).compactMap { at(Double(from) + Double(span) * Double($0) / Double(count)) }
        return reduce(name, samples)
    }

    /// Aggregates per-entity values into one segment value.
    static func groupAggregate(_ name: String, _ values: [Double]) -> Double? {
        reduce(name, values)
    }

    private static func reduce(_ name: String, _ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        switch name {
        case "sum": return values.reduce(0, +)
        case "min": return values.min()
        case "max": return values.max()
        default: return values.reduce(0, +) / Double(values.count)
        }
    }

    private static func finite(_ value: Double) -> Double? {
        value.isFinite ? value : nil
    }
}
