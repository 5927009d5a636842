import Foundation
import Synchronization

/// What an attacker did: operations started (requests or connections, bounded by a count)
/// and how each ended.
final class AttackTally: Sendable {
    private struct State {
        var operations = 0
        var outcomes: [String: Int] = [:]
        var lifetimes: [Double] = []
        var open = 0
        var peakOpen = 0
    }

    private let limit: Int
    private let state = Mutex(State())

    /// - Parameter limit: Operations allowed at most.
    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more operation; false (and not counted) past the limit.
    func begin() -> Bool {
        state.withLock { state in
            guard state.operations < limit else { return false }
            state.operations += 1
            return true
        }
    }

    /// How one operation ended (an HTTP status, "timeout", an error kind...).
    func record(_ outcome: String) {
        state.withLock { $0.outcomes[outcome, default: 0] += 1 }
    }

    /// A connection the attacker holds was opened.
    func opened() {
        state.withLock { state in
            state.open += 1
            state.peakOpen = max(state.peakOpen, state.open)
        }
    }

    /// A held connection ended after `seconds`; `byAdapter` when the adapter closed it.
    func closed(after seconds: Double, byAdapter: Bool) {
        state.withLock { state in
            state.open -= 1
            if byAdapter { state.lifetimes.append(seconds) }
        }
    }

    /// The totals.
    func summary(seconds: Double) -> AttackLoadSummary {
        state.withLock { state in
            AttackLoadSummary(
                operations: state.operations, perSecond: seconds > 0 ? Double(state.operations) / seconds : 0,
                outcomes: state.outcomes, peakOpenConnections: state.peakOpen > 0 ? state.peakOpen : nil,
                closedByAdapterAfterSeconds: state.lifetimes.isEmpty ? nil : LatencySummary(state.lifetimes))
        }
    }
}

/// The attacker's side of one attack, for the report.
struct AttackLoadSummary: Codable, Sendable {
    /// Requests sent or connections opened.
    var operations: Int
    var perSecond: Double
    /// How they ended: HTTP status codes, "held to the end", "closed by the adapter", error kinds.
    var outcomes: [String: Int]
    /// Connections the attacker held open at once (connection attacks).
    var peakOpenConnections: Int?
    /// Lifetime of the connections the adapter closed, seconds (connection attacks).
    var closedByAdapterAfterSeconds: LatencySummary?
}

/// Random lowercase hex, for distinct paths and tokens.
func randomHex(_ count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: (0..<count).map { _ in digits[Int(generator.next() & 15)] }, as: UTF8.self)
}
