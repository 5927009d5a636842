import Foundation
import Shared

extension KubeTime {
    /// The JSON value: a string, or `null` for a missing (zero) time.
    public static func json(_ date: Date?) -> GoJSON {
        date.map { .string(format($0)) } ?? .null
    }
}
