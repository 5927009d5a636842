import Foundation
import Logging

/// How the adapter writes its logs: JSON lines for collectors, or swift-log's text lines for people.
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text

    /// JSON inside a cluster (the kubelet sets `KUBERNETES_SERVICE_HOST` in every pod), text elsewhere.
    public static func defaultFormat(environment: [String: String] = ProcessInfo.processInfo.environment) -> LogFormat {
        if let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty { return .json }
        return .text
    }

    /// A handler for `LoggingSystem.bootstrap`, writing to standard error at `level`.
    public func makeHandler(label: String, level: Logger.Level) -> any LogHandler {
        switch self {
        case .json:
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        case .text:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
