import Foundation
@testable import Operator
import Shared
import Synchronization
import Testing
import TestSupport

/// Two electors (one test clock each, stepped by the test) against one test API
/// server, through the real client.
@Suite(.timeLimit(.minutes(1))) struct LeaderElectorTests {
    static let namespace = "sysdig-adapter"

    final class Candidate: Sendable {
        let elector: LeaderElector
        let clock: TestClock
        let log: ChangeLog

        init(elector: LeaderElector, clock: TestClock, log: ChangeLog) {
            self.elector = elector
            self.clock = clock
            self.log = log
        }

        var changes: [Bool] { log.values.withLock { $0 } }

        func step(_ seconds: Int) async -> Bool {
            clock.advance(by: .seconds(seconds))
            return await elector.tryAcquireOrRenew()
        }
    }

    static func candidate(
        _ identity: String, api: any KubernetesAPI, sleep: @escaping Sleeper = RecordingSleeper().sleeper
    ) -> Candidate {
        let clock = TestClock()
        let log = ChangeLog()
        let elector = LeaderElector(
            api: api, configuration: .init(namespace: namespace, identity: identity), logger: quietLogger(),
            now: clock.instant, wallClock: clock.date, sleep: sleep,
            onChange: { leading in log.values.withLock { $0.append(leading) } })
        return Candidate(elector: elector, clock: clock, log: log)
    }

    static func lease(_ server: KubeAPITestServer) -> JSONValue? {
        server.object(.leases, namespace: namespace, name: "sysdig-adapter")
    }

    static func transitions(_ server: KubeAPITestServer) -> Double? {
        if case .number(let value)? = lease(server)?["spec"]?["leaseTransitions"] { return value }
        return nil
    }

    @Test func exactlyOneOfTwoRacingCandidatesLeads() async throws {
        try await withKubeServer { client, server in
            let a = Self.candidate("pod-a", api: client)
            let b = Self.candidate("pod-b", api: client)
            async let first = a.elector.tryAcquireOrRenew()
            async let second = b.elector.tryAcquireOrRenew()
            let results = await [first, second]
            #expect(results.filter { $0 }.count == 1)
            #expect(a.elector.isLeader != b.elector.isLeader)
            let holder = Self.lease(server)?["spec"]?["holderIdentity"]?.stringValue
            #expect(holder == (a.elector.isLeader ? "pod-a" : "pod-b"))
            // Both keep trying: still exactly one.
            for _ in 0..<3 {
                _ = await a.step(2)
                _ = await b.step(2)
                #expect(a.elector.isLeader != b.elector.isLeader)
            }
        }
    }

    @Test func aStandbyTakesOverOneLeaseDurationAfterTheLeaderStopsRenewing() async throws {
        try await withKubeServer { client, server in
            let a = Self.candidate("pod-a", api: client)
            let b = Self.candidate("pod-b", api: client)
            #expect(await a.step(0))
            #expect(await b.step(0) == false)
            #expect(Self.transitions(server) == 0)
            // A renews; B sees the record change each time, so its view of the lease restarts.
            for _ in 0..<5 {
                #expect(await a.step(2))
                #expect(await b.step(2) == false)
            }
            // A crashes (stops calling). B has last seen a change at its "now"; 15 s must pass on B's clock.
            #expect(await b.step(14) == false)
            #expect(b.elector.isLeader == false)
            #expect(await b.step(1))
            #expect(b.elector.isLeader)
            let spec = try #require(Self.lease(server)?["spec"])
            #expect(spec["holderIdentity"]?.stringValue == "pod-b")
            #expect(Self.transitions(server) == 1)
            #expect(spec["acquireTime"] == spec["renewTime"])
            // A comes back: the lease is B's and valid, so A steps down.
            #expect(await a.step(30) == false)
            #expect(a.elector.isLeader == false)
            #expect(a.changes == [true, false])
            #expect(b.changes == [true])
            // B renewing keeps acquireTime and transitions.
            #expect(await b.step(2))
            #expect(Self.lease(server)?["spec"]?["acquireTime"] == spec["acquireTime"])
            #expect(Self.transitions(server) == 1)
        }
    }

    @Test func releaseLetsTheStandbyTakeOverAtOnce() async throws {
        try await withKubeServer { client, server in
            let a = Self.candidate("pod-a", api: client)
            let b = Self.candidate("pod-b", api: client)
            #expect(await a.step(0))
            #expect(await b.step(0) == false)
            await a.elector.release()
            #expect(a.elector.isLeader == false)
            #expect(Self.lease(server)?["spec"]?["holderIdentity"]?.stringValue == "")
            #expect(await b.step(0))
            #expect(Self.lease(server)?["spec"]?["holderIdentity"]?.stringValue == "pod-b")
            #expect(Self.lease(server)?["spec"]?["leaseDurationSeconds"] == .number(15))
            #expect(Self.transitions(server) == 1)
        }
    }

    @Test func gracefulShutdownReleasesTheLease() async throws {
        try await withKubeServer { client, server in
            let gate = GatedSleeper()  // the retry period never ends on its own
            let a = Self.candidate("pod-a", api: client, sleep: gate.sleeper)
            let task = Task { try await a.elector.run() }
            await gate.waitForSleepers(1)
            #expect(a.elector.isLeader)
            task.cancel()
            try await task.value
            #expect(Self.lease(server)?["spec"]?["holderIdentity"]?.stringValue == "")
        }
    }

    static func leaseRequests(_ server: KubeAPITestServer, method: String) -> Int {
        server.requests.filter { $0.method == method && $0.path.contains("/leases") }.count
    }

    @Test func theLeaderRenewsWithOnePutAndNoRead() async throws {
        try await withKubeServer { client, server in
            let a = Self.candidate("pod-a", api: client)
            #expect(await a.step(0))
            let gets = Self.leaseRequests(server, method: "GET")
            let puts = Self.leaseRequests(server, method: "PUT")
            for _ in 0..<3 { #expect(await a.step(2)) }
            #expect(Self.leaseRequests(server, method: "GET") == gets)
            #expect(Self.leaseRequests(server, method: "PUT") == puts + 3)
            #expect(Self.transitions(server) == 0)
            #expect(a.changes == [true])
        }
    }

    @Test func aLeaseTakenBehindTheLeadersBackIsReadAgainAndRespected() async throws {
        try await withKubeServer { client, server in
            let a = Self.candidate("pod-a", api: client)
            #expect(await a.step(0))
            _ = try server.patch(.leases, namespace: Self.namespace, name: "sysdig-adapter",
                patch: .object(["spec": .object(["holderIdentity": .string("pod-c"), "leaseDurationSeconds": .number(15)])]))
            let gets = Self.leaseRequests(server, method: "GET")
            // The cached copy is stale: the conditional PUT gets 409, the elector reads the
            // lease, sees pod-c's unexpired claim and steps down.
            #expect(await a.step(2) == false)
            #expect(Self.leaseRequests(server, method: "GET") == gets + 1)
            #expect(a.elector.isLeader == false)
            #expect(a.changes == [true, false])
            #expect(Self.lease(server)?["spec"]?["holderIdentity"]?.stringValue == "pod-c")
        }
    }

    @Test func aConflictOnUpdateMeansNotLeader() async throws {
        try await withKubeServer { client, server in
            let a = Self.candidate("pod-a", api: client)
            #expect(await a.step(0))
            await a.elector.release()
            // B reads the released lease; before its update lands, someone else writes the lease.
            let hooked = HookedAPI(base: client, beforeUpdate: {
                _ = try? server.patch(.leases, namespace: Self.namespace, name: "sysdig-adapter",
                    patch: .object(["spec": .object(["holderIdentity": .string("pod-c"), "leaseDurationSeconds": .number(15)])]))
            })
            let b = Self.candidate("pod-b", api: hooked)
            #expect(await b.step(0) == false)
            #expect(b.elector.isLeader == false)
            #expect(Self.lease(server)?["spec"]?["holderIdentity"]?.stringValue == "pod-c")
        }
    }
}

/// Leadership changes as reported by `onChange`.
final class ChangeLog: Sendable {
    let values = Mutex<[Bool]>([])
}

/// Passes calls through, running `beforeUpdate` before each `update` (to lose a race)
/// and `beforeMergePatch` (given the object name) before each merge patch (to hold one).
struct HookedAPI: KubernetesAPI {
    let base: any KubernetesAPI
    var beforeUpdate: @Sendable () -> Void = {}
    var beforeMergePatch: @Sendable (String) async -> Void = { _ in }

    func get(_ resource: KubeGVR, namespace: String?, name: String) async throws -> JSONValue {
        try await base.get(resource, namespace: namespace, name: name)
    }

    func list(_ resource: KubeGVR, namespace: String?, options: ListOptions) async throws -> KubeObjectList {
        try await base.list(resource, namespace: namespace, options: options)
    }

    func watch(_ resource: KubeGVR, namespace: String?, options: WatchOptions) async throws
        -> AsyncThrowingStream<WatchEvent, any Error>
    {
        try await base.watch(resource, namespace: namespace, options: options)
    }

    func create(_ resource: KubeGVR, namespace: String?, object: JSONValue) async throws -> JSONValue {
        try await base.create(resource, namespace: namespace, object: object)
    }

    func update(_ resource: KubeGVR, namespace: String?, name: String, object: JSONValue) async throws -> JSONValue {
        beforeUpdate()
        return try await base.update(resource, namespace: namespace, name: name, object: object)
    }

    func updateStatus(_ resource: KubeGVR, namespace: String?, name: String, object: JSONValue) async throws -> JSONValue {
        try await base.updateStatus(resource, namespace: namespace, name: name, object: object)
    }

    func mergePatch(
        _ resource: KubeGVR, namespace: String?, name: String, subresource: String?, patch: JSONValue
    ) async throws -> JSONValue {
        await beforeMergePatch(name)
        return try await base.mergePatch(resource, namespace: namespace, name: name, subresource: subresource, patch: patch)
    }

    func delete(_ resource: KubeGVR, namespace: String?, name: String) async throws {
        try await base.delete(resource, namespace: namespace, name: name)
    }
}

extension LeaderElectorTests {
    /// A sleeper that advances the test clock by the requested wait (virtual time).
    static func advancing(_ clock: TestClock, budget: Int = 500) -> Sleeper {
        let calls = Mutex(0)
        return { duration in
            let count = calls.withLock { calls -> Int in
                calls += 1
                return calls
            }
            if count > budget { throw CancellationError() }
            clock.advance(by: duration)
            await Task.yield()
        }
    }

    @Test func aLeaderThatCannotRenewWithinTheDeadlineStopsLeading() async throws {
        try await withKubeServer { client, server in
            let clock = TestClock()
            let changes = AsyncStream.makeStream(of: (leading: Bool, at: Date).self)
            let elector = LeaderElector(
                api: client, configuration: .init(namespace: Self.namespace, identity: "pod-a"), logger: quietLogger(),
                now: clock.instant, wallClock: clock.date, sleep: Self.advancing(clock),
                onChange: { changes.continuation.yield(($0, clock.date())) })
            let task = Task { try await elector.run() }
            var iterator = changes.stream.makeAsyncIterator()
            #expect(await iterator.next()?.leading == true)
            server.injectFaults(count: 1_000, status: 500, pathContains: "/leases/")
            let stopped = try #require(await iterator.next())
            #expect(stopped.leading == false)
            // The last successful renewal, as written to the lease.
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let renewed = try #require(
                (Self.lease(server)?["spec"]?["renewTime"]?.stringValue).flatMap { formatter.date(from: $0) })
            // Renewals every 2 s fail; leadership ends at the first failure past the 10 s deadline.
            #expect(stopped.at.timeIntervalSince(renewed) == 12)
            task.cancel()
            try await task.value
        }
    }
}
