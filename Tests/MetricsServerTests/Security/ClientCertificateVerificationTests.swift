import Foundation
import Testing
import X509

@testable import MetricsServer
import TestSupport

/// The pieces under ``ClientCertificateWorkLimitTests``, in-process: the budget on its own,
/// the deadline, and one verification for concurrent requests presenting the same chain.
@Suite("Client certificate verification bounds")
struct ClientCertificateVerificationTests {
    /// The crafted chain of issue 13 at full length, with only the signature budget in the way:
    /// unbounded, 13 such certificates did not finish in 180 s (8 take about 45 s here).
    @Test func theSignatureBudgetAloneStopsTheCraftedChain() async throws {
        let ca = try TestCA(name: "client-ca")
        let crafted = try ClientCertificateTestChains.crafted(count: 13)
        let limits = ClientCertificateLimits(
            maxCertificates: 13, maxChainBytes: 1 << 20, maxSignatureChecks: 100, deadline: .seconds(3600))
        let chain = try ClientCertificateChain(crafted.certificates, limits: limits)
        let report = await ClientCertificateVerifier.evaluate(chain, roots: [ca.certificate], limits: limits)
        #expect(report.signatureChecks == 100)
        #expect(!report.timedOut)
        guard case .failure(let failure) = report.outcome else {
            Issue.record("the crafted chain verified")
            return
        }
        #expect(failure.reason.contains("needs more than 100 signature checks"), "\(failure)")
    }

    @Test func aVerificationPastItsDeadlineIsAbandonedAndNotCached() async throws {
        let ca = try TestCA(name: "client-ca")
        let crafted = try ClientCertificateTestChains.crafted(count: 8)
        // No budget to speak of: only the deadline ends this search (unbounded it takes many seconds).
        let limits = ClientCertificateLimits(
            maxCertificates: 8, maxChainBytes: 1 << 20, maxSignatureChecks: .max, deadline: .milliseconds(1))
        let chain = try ClientCertificateChain(crafted.certificates, limits: limits)
        let cache = ClientCertificateVerificationCache(limits: limits)
        for _ in 0..<2 {
            guard case .refused(let failure) = await cache.verdict(on: chain, pool: .client, bundle: 0, roots: [ca.certificate])
            else {
                Issue.record("the crafted chain verified")
                return
            }
            #expect(failure.reason.contains("did not finish within"), "\(failure)")
        }
        #expect(cache.verifications(.client) == 2)
    }

    @Test func theDeadlineAnswersWithoutWaitingForTheWork() async {
        // The work can only end once cancelled, which happens only after the deadline answered.
        let answer = await ClientCertificateVerificationExecutor.shared.run(deadline: .milliseconds(1), timedOut: "deadline") {
            while !Task.isCancelled { await Task.yield() }
            return "work"
        }
        #expect(answer == "deadline")
    }

    @Test func concurrentRequestsWithOneChainShareOneVerification() async throws {
        let ca = try TestCA(name: "client-ca")
        let bob = try ClientCertificateTestChains.throughIntermediate(ca, commonName: "bob")
        let chain = try ClientCertificateChain(bob.certificates, limits: .standard)
        let cache = ClientCertificateVerificationCache()
        let verdicts = await withTaskGroup(of: ClientCertificateVerificationCache.Verdict.self) { group in
            for _ in 0..<32 {
                group.addTask { await cache.verdict(on: chain, pool: .client, bundle: 0, roots: [ca.certificate]) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(verdicts.count == 32)
        #expect(Set(verdicts) == [.verified(bob.certificates[0])])
        #expect(cache.verifications(.client) == 1)
        // Another bundle version is another verification.
        _ = await cache.verdict(on: chain, pool: .client, bundle: 1, roots: [ca.certificate])
        #expect(cache.verifications(.client) == 2)
    }

    @Test func oversizedChainsAreRefusedBeforeAnyVerification() throws {
        let ca = try TestCA(name: "client-ca")
        let bob = try ClientCertificateTestChains.throughIntermediate(ca, commonName: "bob")
        let bytes = try bob.derByteCount
        let tight = ClientCertificateLimits(maxCertificates: 5, maxChainBytes: bytes - 1, maxSignatureChecks: 100, deadline: .seconds(1))
        #expect(throws: ClientCertificateVerifier.Failure.self) { try ClientCertificateChain(bob.certificates, limits: tight) }
        let short = ClientCertificateLimits(maxCertificates: 1, maxChainBytes: 1 << 14, maxSignatureChecks: 100, deadline: .seconds(1))
        do throws(ClientCertificateVerifier.Failure) {
            _ = try ClientCertificateChain(bob.certificates, limits: short)
            Issue.record("a two-certificate chain passed a one-certificate limit")
        } catch {
            #expect(error.reason.contains("more than the 1 certificate allowed; present only the leaf"))
        }
        #expect(try ClientCertificateChain(bob.certificates, limits: .standard).byteCount == bytes)
    }
}
