import Synchronization
import X509

/// The path-building work budget of one verification (Go's `maxChainSignatureChecks`).
///
/// swift-certificates' `Verifier` checks the signature of every issuer candidate its stores
/// return, and nothing else in its search costs as much; so each candidate handed out costs
/// one unit, and once the budget is spent (or the verifying task is cancelled at its deadline)
/// the stores return nothing more and the search ends with the chain unverified.
final class ClientCertificateWorkBudget: Sendable {
    private struct State {
        var spent = 0
        var exhausted = false
        var cancelled = false
    }

    /// Units available in total.
    let limit: Int
    private let state = Mutex(State())

    /// - Parameter limit: Signature checks allowed (at least 1).
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes up to `count` units; returns how many were granted (0 once spent or cancelled).
    func take(_ count: Int) -> Int {
        let cancelled = Task.isCancelled
        return state.withLock { state in
            if cancelled { state.cancelled = true }
            guard !state.cancelled else { return 0 }
            let granted = min(count, limit - state.spent)
            state.spent += granted
            if granted < count { state.exhausted = true }
            return granted
        }
    }

    /// Units taken so far: an upper bound on the signature checks performed.
    var spent: Int { state.withLock { $0.spent } }

    /// True once a lookup wanted more than was left.
    var exhausted: Bool { state.withLock { $0.exhausted } }

    /// True once a lookup ran in a cancelled task (the deadline passed).
    var cancelled: Bool { state.withLock { $0.cancelled } }
}

/// A certificate store for `Verifier` whose issuer lookups draw on a ``ClientCertificateWorkBudget``:
/// a lookup returns at most as many candidates as units remain, and nothing once none do.
/// Used for both the trusted roots and the presented intermediates, so both count.
struct ClientCertificateBudgetedStore: CustomCertificateStore {
    private var bySubject: [DistinguishedName: [Certificate]] = [:]
    private let budget: ClientCertificateWorkBudget

    /// A store of `certificates` (exact duplicates kept once) drawing on `budget`.
    init(_ certificates: some Sequence<Certificate>, budget: ClientCertificateWorkBudget) {
        self.budget = budget
        append(contentsOf: certificates)
    }

    subscript(subject: DistinguishedName) -> [Certificate]? {
        get async {
            guard let candidates = bySubject[subject], !candidates.isEmpty else { return nil }
            let granted = budget.take(candidates.count)
            return granted == 0 ? nil : Array(candidates.prefix(granted))
        }
    }

    func contains(_ certificate: Certificate) async -> Bool {
        bySubject[certificate.subject]?.contains(certificate) ?? false
    }

    mutating func append(contentsOf certificates: some Sequence<Certificate>) {
        for certificate in certificates where !(bySubject[certificate.subject]?.contains(certificate) ?? false) {
            bySubject[certificate.subject, default: []].append(certificate)
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.budget === rhs.budget && lhs.bySubject == rhs.bySubject
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(budget))
        hasher.combine(bySubject)
    }
}
