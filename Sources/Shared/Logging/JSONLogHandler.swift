import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line (see ``JSONLogFormatter``
/// for the shape), to standard error unless another ``LogLineSink`` is given.
///
/// Like every `LogHandler` it is a value: changing the level or metadata of one
/// logger never affects another. Writing is thread-safe through the sink.
public struct JSONLogHandler: LogHandler {
    /// Events below this level are dropped by `Logger` before they reach the handler.
    public var logLevel: Logger.Level = .info
    /// Metadata attached to every event of this logger.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (task-local values and the like), merged under the event's own.
    public var metadataProvider: Logger.MetadataProvider?
    /// The logger's label, written as `logger`.
    public let label: String

    private let sink: any LogLineSink
    private let formatter = JSONLogFormatter()
    private let now: @Sendable () -> Date

    /// Creates a handler.
    /// - Parameters:
    ///   - label: The logger label.
    ///   - sink: Where lines go; standard error by default, a capturing sink in tests.
    ///   - metadataProvider: Defaults to the one bootstrapped into `LoggingSystem`.
    ///   - now: The clock for `time`; injectable so tests get fixed timestamps.
    public init(
        label: String, sink: any LogLineSink = StandardErrorLogSink(),
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
        self.now = now
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Merges handler, provider and event metadata (the event's wins) and writes one line.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let own = event.metadata, !own.isEmpty {
            merged.merge(own) { _, new in new }
        }
        let line = formatter.line(
            time: now(), level: event.level, label: label, message: event.message.description,
            source: event.source, error: event.error, metadata: merged)
        sink.write(line: line)
    }
}
