import Foundation
import Shared

/// A Data API request body as the simulator understands it, validated the way Sysdig
/// would: read with `JSONSerialization`, never with the client's `Codable` types.
struct SimulatedDataQuery: Sendable {
    struct ValueColumn: Sendable, Equatable {
        var id: String
        var time: String
        var group: String
    }

    enum Column: Sendable, Equatable {
        case key(String)
        case value(ValueColumn)
    }

    /// Why Sysdig would answer 400; rendered as `{"errors":[{reason,message,field}]}`.
    struct Rejection: Error, Sendable, Equatable {
        var reason: String
        var message: String
        var field: String?
    }

    static let validSamplings: Set<Int> = [10, 60, 600, 3600, 86400]
    static let maxSlots = 600
    private static let topLevelKeys: Set<String> = [
        "last", "start", "end", "sampling", "metrics", "filter", "dataSourceType", "paging",
    ]

    var columns: [Column]
    /// Unix seconds, inclusive of `end`.
    var start: Int
    var end: Int
    var sampling: Int?
    var scope: SimulatedScope
    var paging: ClosedRange<Int>

    var keys: [String] {
        columns.compactMap { column -> String? in
            guard case .key(let id) = column else { return nil }
            return id
        }
    }

    var values: [ValueColumn] {
        columns.compactMap { column -> ValueColumn? in
            guard case .value(let value) = column else { return nil }
            return value
        }
    }

    init(json: Data, world: SysdigSimulator.World, now: Date) throws(Rejection) {
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw Rejection(reason: "Bad request", message: "the request body is not a JSON object", field: nil)
        }
        if let unknown = Set(object.keys).subtracting(Self.topLevelKeys).sorted().first {
            throw Rejection(reason: "Bad request", message: "unrecognized field '\(unknown)'", field: unknown)
        }
        self.sampling = try Self.parseSampling(object["sampling"])
        (self.start, self.end) = try Self.parseWindow(object, sampling: sampling, now: now)
        self.columns = try Self.parseColumns(object["metrics"], world: world)
        self.scope = try Self.parseFilter(object["filter"], world: world)
        self.paging = try Self.parsePaging(object["paging"])
        if let source = object["dataSourceType"], !(source is NSNull) {
            guard let text = source as? String, ["host", "container"].contains(text) else {
                throw Rejection(
                    reason: "Bad request", message: "dataSourceType must be 'host' or 'container'",
                    field: "dataSourceType")
            }
        }
    }

    static func integer(_ value: Any?) -> Int? {
        if let number = value as? Int { return number }
        if let number = value as? Double, number.rounded() == number, abs(number) < 1e15 { return Int(number) }
        return nil
    }

    private static func parseSampling(_ value: Any?) throws(Rejection) -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        guard let sampling = integer(value), validSamplings.contains(sampling) else {
            throw Rejection(
                reason: "Invalid sampling", message: "sampling must be one of 10, 60, 600, 3600, 86400",
                field: "sampling")
        }
        return sampling
    }

    private static func parseWindow(_ object: [String: Any], sampling: Int?, now: Date) throws(Rejection)
        -> (Int, Int)
    {
        let last = object["last"], start = object["start"], end = object["end"]
        var window: (Int, Int)
        switch (last, start, end) {
        case (let last?, nil, nil):
            guard let seconds = integer(last), seconds > 0 else {
                throw Rejection(reason: "Bad request", message: "last must be a positive integer", field: "last")
            }
            let step = sampling ?? 1
            let aligned = Int(now.timeIntervalSince1970) / step * step
            window = (aligned - (seconds + step - 1) / step * step, aligned)
        case (nil, let start?, let end?):
            guard let from = integer(start), let to = integer(end), to > from, from >= 0 else {
                throw Rejection(reason: "Bad request", message: "start and end must be seconds, end after start", field: "start")
            }
            let step = sampling ?? 1
            window = (from / step * step, max(to / step * step, from / step * step + step))
        default:
            throw Rejection(reason: "Bad request", message: "either 'last' or both 'start' and 'end' are required", field: "last")
        }
        if let sampling, (window.1 - window.0) / sampling > maxSlots {
            throw Rejection(
                reason: "Invalid sampling", message: "the time span holds more than \(maxSlots) samples",
                field: "sampling")
        }
        return window
    }

    private static func parseFilter(_ value: Any?, world: SysdigSimulator.World) throws(Rejection) -> SimulatedScope {
        guard let value, !(value is NSNull) else { return try scope("") }
        guard let text = value as? String else {
            throw Rejection(reason: "Invalid filter", message: "filter must be a string", field: "filter")
        }
        let parsed = try scope(text)
        if let unknown = parsed.labels.subtracting(world.knownLabels).sorted().first {
            throw Rejection(reason: "Invalid filter", message: "'\(unknown)' is not a known label", field: "filter")
        }
        return parsed
    }

    private static func scope(_ text: String) throws(Rejection) -> SimulatedScope {
        do {
            return try SimulatedScope(parsing: text)
        } catch {
            throw Rejection(reason: "Invalid filter", message: "cannot parse filter: \(error)", field: "filter")
        }
    }

    private static func parsePaging(_ value: Any?) throws(Rejection) -> ClosedRange<Int> {
        guard let value, !(value is NSNull) else { return 0...9 }
        guard let paging = value as? [String: Any], Set(paging.keys) == ["from", "to"],
            let from = integer(paging["from"]), let to = integer(paging["to"]), from >= 0, to >= from
        else {
            throw Rejection(reason: "Bad request", message: "paging must be {from, to} with 0 <= from <= to", field: "paging")
        }
        return from...to
    }
}
