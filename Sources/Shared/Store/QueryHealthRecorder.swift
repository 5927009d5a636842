import Foundation
import Synchronization

/// The last query outcome per mapping, recorded by the metrics server on every
/// answer and written to `status.lastQuery` by the leader at most once per
/// interval per mapping (never one write per HPA poll).
public final class QueryHealthRecorder: Sendable {
    public struct Record: Sendable, Hashable {
        public enum Outcome: String, Sendable, Hashable {
            case ok = "Success", noData = "NoData", failed = "Error"
        }

        public var time: Date
        public var outcome: Outcome
        /// The value as a Kubernetes quantity, for successes.
        public var value: String?
        /// A client-safe message (no token, no Sysdig internals beyond what a Status shows).
        public var message: String

        public init(time: Date, outcome: Outcome, value: String?, message: String) {
            self.time = time
            self.outcome = outcome
            self.value = value
            self.message = message
        }
    }

    private struct State {
        var latest: [MappingKey: Record] = [:]
        var dirty: Set<MappingKey> = []
    }

    private let state = Mutex(State())

    public init() {}

    public func record(_ key: MappingKey, _ record: Record) {
        state.withLock { state in
            state.latest[key] = record
            state.dirty.insert(key)
        }
    }

    /// Records changed since the last call, and forgets that they changed.
    public func takeChanged() -> [MappingKey: Record] {
        state.withLock { state in
            var changed: [MappingKey: Record] = [:]
            for key in state.dirty { changed[key] = state.latest[key] }
            state.dirty = []
            return changed
        }
    }

}
