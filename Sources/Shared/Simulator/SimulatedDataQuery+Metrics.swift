import Foundation
import Shared

extension SimulatedDataQuery {
    /// `metrics[]`: each entry `{"id": ...}` (segmentation key) or
    /// `{"id": ..., "aggregations": {"time": ..., "group": ...}}` (value).
    static func parseColumns(_ value: Any?, world: SysdigSimulator.World) throws(Rejection) -> [Column] {
        guard let entries = value as? [Any], !entries.isEmpty else {
            throw Rejection(reason: "Bad request", message: "metrics must be a non-empty array", field: "metrics")
        }
        var columns: [Column] = []
        var seen: Set<String> = []
        for entry in entries {
            let column = try parseColumn(entry, world: world)
            let id: String
            switch column {
            case .key(let key): id = key
            case .value(let value): id = value.id
            }
            guard seen.insert(id).inserted else {
                throw Rejection(reason: "Bad request", message: "metric '\(id)' appears more than once", field: "metrics")
            }
            columns.append(column)
        }
        return columns
    }

    private static func parseColumn(_ entry: Any, world: SysdigSimulator.World) throws(Rejection) -> Column {
        guard let object = entry as? [String: Any] else {
            throw Rejection(reason: "Bad request", message: "each metrics entry must be an object", field: "metrics")
        }
        if let unknown = Set(object.keys).subtracting(["id", "aggregations"]).sorted().first {
            throw Rejection(
                reason: "Bad request", message: "unrecognized field '\(unknown)' in a metrics entry", field: "metrics")
        }
        guard let id = object["id"] as? String, !id.isEmpty else {
            throw Rejection(reason: "Bad request", message: "each metrics entry needs a string 'id'", field: "metrics")
        }
        guard let aggregations = object["aggregations"], !(aggregations is NSNull) else {
            guard world.knownLabels.contains(id) else { throw notFound(id) }
            return .key(id)
        }
        guard let metric = world.metric(id) else { throw notFound(id) }
        guard let pair = aggregations as? [String: Any], Set(pair.keys) == ["time", "group"],
            let time = pair["time"] as? String, let group = pair["group"] as? String
        else {
            throw Rejection(
                reason: "Bad request", message: "aggregations must be {\"time\": ..., \"group\": ...}", field: "metrics")
        }
        guard metric.timeAggregations.contains(time) else {
            throw Rejection(
                reason: "Invalid aggregation", message: "time aggregation '\(time)' is not allowed for '\(id)'",
                field: "metrics")
        }
        guard metric.groupAggregations.contains(group) else {
            throw Rejection(
                reason: "Invalid aggregation", message: "group aggregation '\(group)' is not allowed for '\(id)'",
                field: "metrics")
        }
        return .value(ValueColumn(id: id, time: time, group: group))
    }

    private static func notFound(_ id: String) -> Rejection {
        Rejection(reason: "Metric not found", message: "'\(id)' is not a Sysdig Cloud metric", field: "metrics")
    }
}
