import Foundation

/// Splits a watch response body into events: newline-delimited JSON objects that may
/// arrive split across reads or several to a read (docs/kubernetes-api.md, "Watches").
/// Feed it every chunk, then call `finish()` at the end of the body.
public struct WatchEventDecoder: Sendable {
    /// Longest single event accepted; a line growing past it is an error, not a memory leak.
    public static let maxEventBytes = 16 * 1024 * 1024

    private var pending: [UInt8] = []

    public init() {}

    /// The events completed by `bytes`, in order.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) throws(KubeAPIError) -> [WatchEvent]
    where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var events: [WatchEvent] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if let event = try Self.decodeLine(pending[start..<newline]) { events.append(event) }
            start = newline + 1
        }
        pending.removeFirst(start)
        guard pending.count <= Self.maxEventBytes else {
            throw KubeAPIError(code: .badResponse, message: "a watch event is larger than \(Self.maxEventBytes) bytes")
        }
        return events
    }

    /// The last event when the body ended without a trailing newline; throws on a torn event.
    public mutating func finish() throws(KubeAPIError) -> WatchEvent? {
        defer { pending = [] }
        return try Self.decodeLine(pending[...])
    }

    static func decodeLine(_ line: ArraySlice<UInt8>) throws(KubeAPIError) -> WatchEvent? {
        let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }
        guard !trimmed.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") })
        else { return nil }
        let value: JSONValue
        do {
            value = try JSONValue.parse(json: Data(trimmed))
        } catch {
            throw KubeAPIError(code: .badResponse, message: "the watch stream carried a line that is not JSON")
        }
        guard let typeName = value["type"]?.stringValue, let type = WatchEvent.EventType(rawValue: typeName),
            let object = value["object"]
        else {
            throw KubeAPIError(code: .badResponse, message: "the watch stream carried an object that is not a watch event")
        }
        return WatchEvent(type: type, object: object)
    }
}
