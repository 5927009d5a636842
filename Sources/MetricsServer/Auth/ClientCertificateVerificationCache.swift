import Crypto
import Foundation
import Synchronization
import X509

/// Verdicts on presented certificate chains, so a client's chain is verified once per trust
/// pool and CA bundle: not again on every request of its keep-alive connection (1,000
/// requests cost one verification), nor on its next connection.
///
/// Keyed by the trust pool, the version of that pool's CA bundle (``AuthenticationSettingsStore``
/// bumps it when the bundle changes, and drops the pool's verdicts) and the chain's digest.
/// Requests presenting the same chain while it is being verified wait for that one verification.
/// A success is kept for `successTTL` but never past the earliest end of validity in the verified
/// chain; a refusal for `failureTTL`; a verification that ran out of time is not kept.
final class ClientCertificateVerificationCache: Sendable {
    /// Which CA bundle a chain is verified against.
    enum Pool: Sendable, Hashable {
        /// `requestheader-client-ca-file`: the front proxy.
        case requestHeader
        /// `client-ca-file`: ordinary client certificates.
        case client
    }

    /// What a chain is worth against one pool.
    enum Verdict: Sendable, Hashable {
        /// Verified; the leaf.
        case verified(Certificate)
        /// Refused, and why.
        case refused(ClientCertificateVerifier.Failure)
    }

    private struct Key: Hashable, Sendable {
        var pool: Pool
        var bundle: UInt64
        var chain: SHA256Digest
    }

    private enum Entry: Sendable {
        case pending(Task<Verdict, Never>)
        case done(Verdict, expires: Duration)
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var verifications: [Pool: Int] = [:]
        var signatureChecks: [Pool: Int] = [:]
    }

    /// The limits every verification runs under.
    let limits: ClientCertificateLimits
    private let successTTL: Duration
    private let failureTTL: Duration
    private let capacity: Int
    private let now: MonotonicNow
    private let state = Mutex(State())

    /// - Parameters:
    ///   - limits: Chain size, signature-check budget and deadline of each verification.
    ///   - successTTL: How long a verified chain is trusted without verifying it again.
    ///   - failureTTL: How long a refusal stands.
    ///   - capacity: Verdicts kept at most (expired ones go first, then arbitrary ones).
    ///   - now: Monotonic time, injected for tests.
    init(
        limits: ClientCertificateLimits = .standard, successTTL: Duration = .seconds(300),
        failureTTL: Duration = .seconds(30), capacity: Int = 1024, now: @escaping MonotonicNow = continuousNow()
    ) {
        self.limits = limits
        self.successTTL = successTTL
        self.failureTTL = failureTTL
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// The verdict on `chain` against `roots`, the CA bundle of `pool` at version `bundle`:
    /// from the cache, from a verification already running, or from a new one.
    func verdict(on chain: ClientCertificateChain, pool: Pool, bundle: UInt64, roots: [Certificate]) async -> Verdict {
        let key = Key(pool: pool, bundle: bundle, chain: chain.digest)
        let time = now()
        enum Lookup {
            case cached(Verdict)
            case running(Task<Verdict, Never>)
        }
        let lookup: Lookup = state.withLock { state in
            switch state.entries[key] {
            case .done(let verdict, let expires) where expires > time:
                return .cached(verdict)
            case .pending(let running):
                return .running(running)
            case .done, nil:
                state.verifications[pool, default: 0] += 1
                let started = Task { await self.verify(chain, key: key, roots: roots) }
                makeRoom(&state, at: time)
                state.entries[key] = .pending(started)
                return .running(started)
            }
        }
        switch lookup {
        case .cached(let verdict): return verdict
        case .running(let task): return await task.value
        }
    }

    /// Forgets every verdict against `pool` (its CA bundle changed).
    func drop(_ pool: Pool) {
        state.withLock { state in
            state.entries = state.entries.filter { $0.key.pool != pool }
        }
    }

    /// Verifications started against `pool` (cache misses), for tests and diagnostics.
    func verifications(_ pool: Pool) -> Int {
        state.withLock { $0.verifications[pool, default: 0] }
    }

    /// Signature checks (upper bound) spent on finished verifications against `pool`.
    func signatureChecks(_ pool: Pool) -> Int {
        state.withLock { $0.signatureChecks[pool, default: 0] }
    }

    /// Runs one verification and records its verdict, unless the pool was dropped meanwhile.
    private func verify(_ chain: ClientCertificateChain, key: Key, roots: [Certificate]) async -> Verdict {
        let report = await ClientCertificateVerifier.evaluate(chain, roots: roots, limits: limits)
        let verdict: Verdict
        var ttl: Duration
        switch report.outcome {
        case .success(let verified):
            verdict = .verified(verified.leaf)
            ttl = min(successTTL, .seconds(verified.validUntil.timeIntervalSinceNow))
        case .failure(let failure):
            verdict = .refused(failure)
            ttl = report.timedOut ? .zero : failureTTL
        }
        let time = now()
        state.withLock { state in
            state.signatureChecks[key.pool, default: 0] += report.signatureChecks
            guard case .pending = state.entries[key] else { return }
            state.entries[key] = ttl > .zero ? .done(verdict, expires: time + ttl) : nil
        }
        return verdict
    }

    /// Frees a slot when the cache is full: expired verdicts first, then any finished one.
    private func makeRoom(_ state: inout State, at time: Duration) {
        guard state.entries.count >= capacity else { return }
        state.entries = state.entries.filter { _, entry in
            if case .done(_, let expires) = entry { return expires > time }
            return true
        }
        guard state.entries.count >= capacity else { return }
        if let victim = state.entries.first(where: { if case .done = $0.value { true } else { false } })?.key {
            state.entries[victim] = nil
        }
    }
}
