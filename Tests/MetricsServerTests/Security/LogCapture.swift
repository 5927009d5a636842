import Logging
import Synchronization

/// Collects every log line (message and metadata, all levels) for assertions.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(merged) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}

/// A clock the test moves by hand.
final class ManualTime: Sendable {
    private let offset = Mutex<Duration>(.zero)

    var now: MonotonicNowClosure { { [self] in offset.withLock { $0 } } }

    func advance(_ duration: Duration) {
        offset.withLock { $0 += duration }
    }
}

typealias MonotonicNowClosure = @Sendable () -> Duration
