import Foundation
import Shared
import Testing

@testable import MetricsServer
import SysdigSimulator
import TestSupport

/// Issue 7, robustness: Sysdig misbehaving in every way the simulator can, in a seeded
/// random order. Each API answer must come back within the Sysdig timeout (plus slack
/// for a loaded machine) as the right Kubernetes Status, the client-side rate limit must
/// hold, and answers must recover once the faults stop.
@Suite("Sysdig fault injection through the HTTPS API")
struct SysdigFaultTests {
    static let timeout = Duration.seconds(2)
    static let cacheTTL = Duration.seconds(10)
    static let qps = 10.0
    static let burst = 4
    /// Most Sysdig requests the simulator may see in any one second: qps × 1 s + burst,
    /// plus what 300 ms of arrival jitter can push in from the previous second (requests
    /// leave at their limiter slot but reach the simulator late on a loaded machine).
    /// Without the limiter a wave of 30 requests lands within a few milliseconds.
    static let rateBound = Int(qps * 1.3) + burst

    /// Bound on top of the Sysdig timeout. The goal is 100 ms; measured on the shared
    /// 2-core machine: +2 to +18 ms one request at a time, +22 to +103 ms with 30
    /// concurrent requests when this suite runs alone, but +1.12 s when the whole
    /// MetricsServerTests target runs in parallel beside it (the time includes the client's
    /// TLS handshakes and CPU starvation; nothing of ours waits past the deadline: limiter
    /// slots, coalesced joins and Data API pages are all bounded by it). 3 s keeps a
    /// margin over that worst case.
    static let slack = Duration.seconds(3)

    /// A fault the test can inject, and the status the API must answer with when the
    /// request reached Sysdig.
    enum Injected: CaseIterable {
        case none, internalError, badGateway, unavailableRetryAfter, rateLimited, slow, truncated, garbage, closed

        var fault: SysdigSimulator.Fault? {
            switch self {
            case .none: nil
            case .internalError: .status(500)
            case .badGateway: .status(502, body: "<html>Bad Gateway</html>")
            case .unavailableRetryAfter: .status(503, retryAfter: "1")
            case .rateLimited: .rateLimited(retryAfter: "1")
            case .slow: .delay(SysdigFaultTests.timeout + .milliseconds(500))
            case .truncated: .truncatedBody
            case .garbage: .garbageBody
            case .closed: .closeConnection
            }
        }

        /// 503 for what may pass (outages, throttling, timeouts); 500 for answers that make no sense.
        var expectedStatus: Int {
            switch self {
            case .none: 200
            case .truncated, .garbage: 500
            default: 503
            }
        }
    }

    static func checkShape(_ reply: SysdigFaultHarness.Reply, _ context: String) {
        #expect(reply.elapsed <= timeout + slack, "\(context): answered after \(reply.elapsed)")
        if reply.status == 200 {
            #expect(reply.kind == "MetricValueList", "\(context)")
        } else {
            #expect(reply.kind == "Status", "\(context): \(reply.message ?? "no message")")
            #expect(reply.code == reply.status, "\(context)")
        }
        // No error answer carries Retry-After: client-go would sleep and retry it up to 10 times.
        #expect(reply.retryAfter == nil, "\(context): Retry-After \(reply.retryAfter ?? "")")
    }

    @Test("random fault mix, one request at a time: exact status, bounded latency, recovery", arguments: [0x5EED_0001, 0x5EED_0002] as [UInt64])
    func sequentialFaults(seed: UInt64) async throws {
        try await SysdigFaultHarness.with(timeout: Self.timeout, cacheTTL: Self.cacheTTL, qps: Self.qps, burst: Self.burst) { harness in
            var random = SplitMix64(seed: seed)
            var worst = Duration.zero
            let warm = try await harness.get()
            #expect(warm.status == 200)
            for round in 0..<30 {
                let injected = Injected.allCases.randomElement(using: &random) ?? .none
                // Every round must reach Sysdig: move the cache past the last good answer.
                harness.cacheClock.advance(by: Self.cacheTTL + .seconds(1))
                if let fault = injected.fault { harness.simulator.inject(fault) }
                let before = harness.dataRequests.count
                let reply = try await harness.get()
                let sent = harness.dataRequests.count - before
                let context = "seed \(seed) round \(round) (\(injected), \(sent) Sysdig requests)"
                Self.checkShape(reply, context)
                worst = max(worst, reply.elapsed)
                if sent == 0 {
                    // Refused by the adapter's own limiter (a Retry-After pause longer than the
                    // deadline): the fault is still queued and must not leak into the next round.
                    #expect(reply.status == 503, "\(context)")
                    harness.simulator.clearFaults()
                } else {
                    #expect(reply.status == injected.expectedStatus, "\(context): \(reply.message ?? "")")
                }
            }
            // Faults stop: the very next answer is good, and fresh once the TTL has passed.
            harness.simulator.clearFaults()
            let recovered = try await harness.get()
            #expect(recovered.status == 200, "after the faults: \(recovered.message ?? "")")
            #expect(recovered.elapsed <= Self.timeout + Self.slack)
            harness.cacheClock.advance(by: Self.cacheTTL)
            let before = harness.dataRequests.count
            let fresh = try await harness.get()
            #expect(fresh.status == 200)
            #expect(harness.dataRequests.count == before + 1, "one TTL later the answer comes from Sysdig again")
            #expect(harness.busiestWindow(1) <= Self.rateBound)
            Self.report("sequential seed \(seed)", worst)
        }
    }

    @Test("concurrent requests under persistent random faults: bounded latency, rate limit held, recovery")
    func concurrentFaults() async throws {
        try await SysdigFaultHarness.with(timeout: Self.timeout, cacheTTL: Self.cacheTTL, qps: Self.qps, burst: Self.burst) { harness in
            var random = SplitMix64(seed: 0xFA17_0003)
            var worst = Duration.zero
            let pods = ["web-5d8f6-abc12", "web-5d8f6-def34", "web-5d8f6-ghi56", "web-5d8f6-jkl78", "api-6b7c8-pq9rs", "api-6b7c8-tu1vw"]
            for wave in 0..<3 {
                for _ in 0..<24 {
                    if let fault = (Injected.allCases.randomElement(using: &random) ?? .none).fault {
                        harness.simulator.inject(fault)
                    }
                }
                harness.cacheClock.advance(by: Self.cacheTTL + .seconds(1))
                let replies = try await withThrowingTaskGroup(
                    of: SysdigFaultHarness.Reply.self, returning: [SysdigFaultHarness.Reply].self
                ) { group in
                    for index in 0..<30 {
                        let pod = pods[index % pods.count]
                        let path = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/\(pod)/cpu_usage"
                            + (index < pods.count ? "" : "?metricLabelSelector=container.name%21%3Dc\(index)")
                        group.addTask { try await harness.get(path) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for (index, reply) in replies.enumerated() {
                    Self.checkShape(reply, "wave \(wave) reply \(index)")
                    worst = max(worst, reply.elapsed)
                    #expect([200, 404, 500, 503].contains(reply.status), "wave \(wave): \(reply.status) \(reply.message ?? "")")
                }
                harness.simulator.clearFaults()
            }
            harness.cacheClock.advance(by: Self.cacheTTL)
            let recovered = try await harness.get()
            #expect(recovered.status == 200, "after the faults: \(recovered.message ?? "")")
            let busiest = harness.busiestWindow(1)
            #expect(busiest <= Self.rateBound, "\(busiest) Sysdig requests within one second")
            #expect(harness.dataRequests.count > Self.burst, "the waves reached Sysdig")
            Self.report("concurrent", worst)
        }
    }

    /// Prints the slowest answer against the goal (`--sysdig-timeout` + 100 ms).
    static func report(_ label: String, _ worst: Duration) {
        let over = worst - timeout
        print("sysdig faults (\(label)): slowest answer \(worst), timeout + \(over) (goal: timeout + 100 ms)")
    }
}
