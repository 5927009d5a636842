import Foundation
@testable import Operator
import Shared
import Synchronization
import Testing

/// Issue 17: a watch that was established and is then cut resumes at once from the last
/// resourceVersion, however many failures came before; only failed calls and watches
/// that end at once without delivering anything back off.
@Suite(.timeLimit(.minutes(1))) struct WatchResumeTests {
    static let smm = KubeGVR.sysdigMetricMappings

    /// Returns at once (recording the wait) until `arm()`; from then on really sleeps, so
    /// a backoff the watcher takes after a cut shows up as latency.
    final class ArmedSleeper: Sendable {
        private struct State {
            var armed = false
            var startup: [Duration] = []
            var afterArming: [Duration] = []
        }

        private let state = Mutex(State())

        func arm() { state.withLock { $0.armed = true } }
        var startup: [Duration] { state.withLock { $0.startup } }
        var afterArming: [Duration] { state.withLock { $0.afterArming } }

        var sleeper: Sleeper {
            { duration in
                let armed = self.state.withLock { state -> Bool in
                    if state.armed { state.afterArming.append(duration) } else { state.startup.append(duration) }
                    return state.armed
                }
                if armed { try await Task.sleep(for: duration) } else { await Task.yield() }
            }
        }
    }

    @Test func afterAnEarlyOutageEveryCutWatchResumesAtOnce() async throws {
        try await withKubeServer { client, server in
            // A control-plane upgrade at start: both kinds' lists fail several times.
            server.injectFaults(count: 5, status: 500, pathContains: "/sysdigmetricmappings?limit")
            server.injectFaults(count: 5, status: 503, pathContains: "/clustersysdigmetricmappings?limit")
            let sleeper = ArmedSleeper()
            let clock = TestClock()
            let store = ConfigStore()
            let controller = MappingController(
                api: client, store: store, logger: quietLogger(), sleep: sleeper.sleeper, now: clock.instant)
            try await withRunning([controller]) {
                await controller.waitUntilSynced()
                await server.waitUntil { $0.openWatches >= 2 }
                #expect(sleeper.startup.count >= 10)  // every failed list backed off
                sleeper.arm()
                for cut in 1...3 {
                    clock.advance(by: .seconds(5))  // the watches have been up for a while
                    let before = server.requests.count
                    server.disconnectAllWatches()
                    let name = "after-cut-\(cut)"
                    let created = ContinuousClock.now
                    try server.seed(Self.smm, namespace: "shop", object: mappingObject(name))
                    await store.waitUntil {
                        $0.entries[MappingKey(kind: .namespaced, namespace: "shop", name: name)] != nil
                    }
                    let served = ContinuousClock.now - created
                    #expect(served < .seconds(2), "cut \(cut): served after \(served)")
                    // Both kinds watch again from where they were: no relist.
                    await server.waitUntil { $0.openWatches >= 2 }
                    let again = server.requests.dropFirst(before)
                    #expect(again.filter { $0.query["watch"] == "true" }.count >= 2)
                    #expect(again.filter { $0.query["limit"] != nil }.isEmpty)
                }
                #expect(sleeper.afterArming.isEmpty, "backoffs after the cuts: \(sleeper.afterArming)")
            }
        }
    }

    @Test func aWatchThatEndsAtOnceWithoutEventsStillBacksOffAndGrows() async throws {
        try await withKubeServer { client, server in
            let sleeper = RecordingSleeper(budget: 100)
            let clock = TestClock()  // never advanced: every watch ends "at once"
            let controller = MappingController(
                api: client, store: ConfigStore(), logger: quietLogger(), sleep: sleeper.sleeper, now: clock.instant)
            try await withRunning([controller]) {
                await controller.waitUntilSynced()
                for round in 1...4 {
                    await server.waitUntil { $0.openWatches >= 2 }
                    server.disconnectAllWatches()
                    while sleeper.recorded.count < 2 * round { await Task.yield() }
                }
                let waits = sleeper.recorded
                #expect(waits.count >= 8)
                // Per watcher the base doubles: 0.8, 1.6, 3.2, 6.4 s (each up to +100 %).
                #expect(waits.suffix(2).allSatisfy { $0 >= .milliseconds(6_400) })
            }
        }
    }

    @Test func backoffStartsAgainAfterAHealthyPeriod() {
        var backoff = Backoff()
        let start = ContinuousClock.now
        let first = backoff.next(now: start)
        let second = backoff.next(now: start + .seconds(1))
        #expect(first >= .milliseconds(800) && first < .milliseconds(1_600))
        #expect(second >= .milliseconds(1_600))
        let later = backoff.next(now: start + .seconds(1) + .seconds(120))
        #expect(later < .milliseconds(1_600))
    }
}
