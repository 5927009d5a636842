import Foundation
import Shared
import Synchronization
import SysdigSimulator

/// The soak's disturbances: mapping files rewritten, removed, re-added and broken in
/// the watched directory, and bursts of Sysdig faults from the simulator.
final class SoakChurn: Sendable {
    /// Churned files `churn-<k>.yaml`, each holding alias `churn_<k>`.
    static let files = 4

    /// One fault burst, for classifying answers given while it lasted.
    struct Burst: Codable, Sendable {
        var kind: String
        var startSeconds: Double
        var endSeconds: Double
    }

    let directory: URL
    let simulator: SysdigSimulator
    /// The start of the paced run: burst times are seconds from here, like the samples.
    let origin: ContinuousClock.Instant
    let sysdigTimeout: Double
    private let bursts = Mutex<[Burst]>([])
    private let churnSteps = Mutex<[String: Int]>([:])

    init(directory: URL, simulator: SysdigSimulator, origin: ContinuousClock.Instant, sysdigTimeout: Double) {
        self.directory = directory
        self.simulator = simulator
        self.origin = origin
        self.sysdigTimeout = sysdigTimeout
    }

    /// Fault bursts so far.
    var faultBursts: [Burst] { bursts.withLock { $0 } }

    /// Churn actions so far, by kind.
    var churnActions: [String: Int] { churnSteps.withLock { $0 } }

    /// The stable mappings (never churned) and every churned file, valid.
    static func writeInitialFiles(in directory: URL) throws {
        let base = BenchFixtures.clusterMappingYAML(name: "kuard-rps", alias: "kuard_rps", resources: ["services", "pods"])
            + BenchFixtures.clusterMappingYAML(name: "cpu-usage", alias: "cpu_usage", metric: "cpu.used.percent", resources: ["pods"])
            + BenchFixtures.externalMappingYAML(name: "queue-messages", alias: "queue_messages")
        try base.write(to: directory.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        for file in 0..<Self.files { try writeChurned(file, metric: "net.http.request.count", in: directory) }
    }

    /// Step `step`: file `step % files` is, in turn, removed, re-added, rewritten
    /// (another metric) and broken (the adapter keeps its last good content).
    func churn(step: Int) throws {
        let file = step % Self.files
        let url = directory.appendingPathComponent("churn-\(file).yaml")
        let action: String
        switch (step / Self.files) % 4 {
        case 0:
            try? FileManager.default.removeItem(at: url)
            action = "remove"
        case 1:
            try Self.writeChurned(file, metric: "net.http.request.count", in: directory)
            action = "add"
        case 2:
            try Self.writeChurned(file, metric: "cpu.used.percent", in: directory)
            action = "rewrite"
        default:
            try "spec: [this is: not a mapping\n".write(to: url, atomically: true, encoding: .utf8)
            action = "break"
        }
        churnSteps.withLock { $0[action, default: 0] += 1 }
    }

    /// Step `step` of the fault rotation: 500s, 429 with Retry-After, then responses
    /// delayed past `--sysdig-timeout`, each for `duration`, then cleared.
    func faultBurst(step: Int, duration: Duration) async throws {
        let kind: String
        switch step % 3 {
        case 0:
            simulator.inject(.status(500), persistent: true)
            kind = "500"
        case 1:
            simulator.inject(.rateLimited(retryAfter: "1"), persistent: true)
            kind = "429 Retry-After: 1"
        default:
            simulator.inject(.delay(.milliseconds(Int64((sysdigTimeout + 1) * 1000))), persistent: true)
            kind = "delay past the deadline"
        }
        let start = (ContinuousClock.now - origin).milliseconds / 1000
        defer {
            simulator.clearFaults()
            let end = (ContinuousClock.now - origin).milliseconds / 1000
            bursts.withLock { $0.append(Burst(kind: kind, startSeconds: start, endSeconds: end)) }
        }
        try await Task.sleep(for: duration)
    }

    /// Whether a request sent at `sent` falls in a burst or its aftermath (`grace` seconds).
    func duringFaults(_ sent: ContinuousClock.Instant, grace: Double) -> Bool {
        let at = (sent - origin).milliseconds / 1000
        return bursts.withLock { bursts in
            bursts.contains { at >= $0.startSeconds - 0.05 && at <= $0.endSeconds + grace }
        }
    }

    private static func writeChurned(_ file: Int, metric: String, in directory: URL) throws {
        let yaml = BenchFixtures.clusterMappingYAML(name: "churn-\(file)", alias: "churn_\(file)", metric: metric, resources: ["services"])
        try yaml.write(to: directory.appendingPathComponent("churn-\(file).yaml"), atomically: true, encoding: .utf8)
    }
}
