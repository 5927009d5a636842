import Foundation
import Logging
import Synchronization
import Testing

@testable import Shared

/// Collects lines in memory so tests can read exactly what the handler wrote.
final class CapturingLogSink: LogLineSink {
    private let storage = Mutex<[String]>([])

    func write(line: String) {
        storage.withLock { $0.append(line) }
    }

    var lines: [String] { storage.withLock { $0 } }
}

@Suite("JSON log handler")
struct JSONLogHandlerTests {
    /// 2026-11-29T01:08:54.500Z: half a second is exact in binary, so no rounding question.
    static let fixedTime = Date(timeIntervalSince1970: 1_795_914_534.5)

    func makeLogger(label: String = "sysdig-adapter", level: Logger.Level = .info) -> (Logger, CapturingLogSink) {
        let sink = CapturingLogSink()
        var logger = Logger(label: label) { label in
            JSONLogHandler(label: label, sink: sink, metadataProvider: nil, now: { Self.fixedTime })
        }
        logger.logLevel = level
        return (logger, sink)
    }

    func object(_ line: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: Any])
    }

    @Test func writesOneObjectWithFixedFieldsAndFlattenedMetadata() throws {
        var (logger, sink) = makeLogger()
        logger[metadataKey: "replica"] = "a"
        logger.info(
            "Mapping compiled",
            metadata: [
                "mapping": ["namespace": "shop", "name": "web"],
                "sysdig.status": "200",
                "replica": "b",
            ])
        let lines = sink.lines
        try #require(lines.count == 1)
        #expect(!lines[0].contains("\n"))
        let fields = try object(lines[0])
        #expect(fields["time"] as? String == "2026-11-29T01:08:54.500Z")
        #expect(fields["level"] as? String == "info")
        #expect(fields["logger"] as? String == "sysdig-adapter")
        #expect(fields["message"] as? String == "Mapping compiled")
        #expect(fields["source"] as? String == "SharedTests")
        #expect(fields["mapping.namespace"] as? String == "shop")
        #expect(fields["mapping.name"] as? String == "web")
        #expect(fields["sysdig.status"] as? String == "200")
        #expect(fields["replica"] as? String == "b", "the event's metadata wins over the logger's")
        #expect(fields["mapping"] == nil)
        #expect(Set(fields.keys) == [
            "time", "level", "logger", "message", "source",
            "mapping.namespace", "mapping.name", "sysdig.status", "replica",
        ])
    }

    @Test func fixedKeysComeFirstAndMetadataIsSorted() {
        let line = JSONLogFormatter().line(
            time: Self.fixedTime, level: .warning, label: "l", message: "m", source: "s",
            metadata: ["b": "2", "a": ["z": "3", "y": "4"]])
        #expect(line == #"{"time":"2026-11-29T01:08:54.500Z","level":"warning","logger":"l","message":"m","source":"s","a.y":"4","a.z":"3","b":"2"}"#)
    }

    @Test(arguments: [
        "plain",
        "quote \" and backslash \\",
        "new\nline, tab\t, return\r",
        "control \u{01}\u{1F}\u{7F} characters",
        "unicode é ☃ 🚀 and \u{2028} separators \u{2029}",
        "",
    ])
    func messagesRoundTripAsOneLine(message: String) throws {
        let (logger, sink) = makeLogger()
        logger.error("\(message)", metadata: ["request.path": "\(message)"])
        let line = try #require(sink.lines.first)
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{2028}"))
        let fields = try object(line)
        #expect(fields["message"] as? String == message)
        #expect(fields["request.path"] as? String == message)
        #expect(fields["level"] as? String == "error")
    }

    @Test func metadataCannotReplaceFixedKeys() throws {
        let (logger, sink) = makeLogger()
        logger.info("real", metadata: ["message": "fake", "level": "critical", "time": "never", "error": "e"])
        let fields = try object(try #require(sink.lines.first))
        #expect(fields["error"] as? String == "e", "error is metadata unless the event carries an error")
        #expect(fields["message"] as? String == "real")
        #expect(fields["level"] as? String == "info")
        #expect(fields["metadata.message"] as? String == "fake")
        #expect(fields["metadata.level"] as? String == "critical")
        #expect(fields["metadata.time"] as? String == "never")
    }

    @Test func arraysAndNestedValuesStayJSON() throws {
        let (logger, sink) = makeLogger()
        logger.notice(
            "Served resources changed",
            metadata: [
                "mapping.resources": ["pods", "services"],
                "retry.after": .stringConvertible(3),
                "list": [["k": "v"]],
                "empty": [:],
            ])
        let fields = try object(try #require(sink.lines.first))
        #expect(fields["mapping.resources"] as? [String] == ["pods", "services"])
        #expect(fields["retry.after"] as? String == "3")
        #expect(fields["list"] as? [[String: String]] == [["k": "v"]])
        #expect((fields["empty"] as? [String: Any])?.isEmpty == true)
    }

    @Test func logLevelFiltersAndIsPerLogger() {
        var (logger, sink) = makeLogger(level: .info)
        logger.debug("hidden")
        var verbose = logger
        verbose.logLevel = .trace
        verbose.trace("shown")
        logger.debug("hidden again")
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.contains("\"shown\"") == true)
        logger.logLevel = .critical
        logger.error("hidden too")
        #expect(sink.lines.count == 1)
    }

    @Test func eventErrorAndProviderMetadataAreIncluded() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let sink = CapturingLogSink()
        let provider = Logger.MetadataProvider { ["trace.id": "t-1", "request.path": "provider"] }
        let handler = JSONLogHandler(label: "x", sink: sink, metadataProvider: provider, now: { Self.fixedTime })
        handler.log(event: LogEvent(
            level: .warning, message: "failed", error: Boom(), metadata: ["request.path": "/apis", "error": "meta"],
            source: "Tests", file: #fileID, function: #function, line: #line))
        let fields = try object(try #require(sink.lines.first))
        #expect(fields["error"] as? String == "boom")
        #expect(fields["metadata.error"] as? String == "meta")
        #expect(fields["trace.id"] as? String == "t-1")
        #expect(fields["request.path"] as? String == "/apis")
        #expect(fields["source"] as? String == "Tests")
    }

    @Test func concurrentLoggersWriteWholeLines() async throws {
        let (logger, sink) = makeLogger()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<50 {
                        logger.info("tick", metadata: ["task": "\(task)", "index": "\(index)"])
                    }
                }
            }
        }
        let lines = sink.lines
        #expect(lines.count == 400)
        var seen = Set<String>()
        for line in lines {
            let fields = try object(line)
            seen.insert("\(fields["task"] ?? "")/\(fields["index"] ?? "")")
        }
        #expect(seen.count == 400)
    }

    @Test(arguments: [
        (["KUBERNETES_SERVICE_HOST": "10.96.0.1"], LogFormat.json),
        (["KUBERNETES_SERVICE_HOST": ""], LogFormat.text),
        ([:], LogFormat.text),
        (["HOME": "/root"], LogFormat.text),
    ])
    func formatDefaultsToJSONOnlyInACluster(environment: [String: String], expected: LogFormat) {
        #expect(LogFormat.defaultFormat(environment: environment) == expected)
    }

    @Test func formatsMakeTheirHandlersAtTheRequestedLevel() {
        #expect(LogFormat.json.makeHandler(label: "a", level: .debug) is JSONLogHandler)
        #expect(LogFormat.json.makeHandler(label: "a", level: .debug).logLevel == .debug)
        #expect(LogFormat.text.makeHandler(label: "a", level: .error) is StreamLogHandler)
        #expect(LogFormat.text.makeHandler(label: "a", level: .error).logLevel == .error)
    }
}
