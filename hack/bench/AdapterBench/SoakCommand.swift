import ArgumentParser
import Foundation
import Shared
import Synchronization
import SysdigSimulator

/// `soak`: the adapter in files mode for `--duration` seconds at a fixed request rate,
/// with mapping churn and Sysdig fault bursts; RSS and open descriptors sampled.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "Long run at a fixed rate with mapping churn and Sysdig fault bursts.")

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Seconds of paced load (after the warm-up).")
    var duration: Double = 600

    @Option(help: "Requests per second (default: 80% of the rate measured flat out during the warm-up).")
    var rate: Double?

    @Option(help: "Concurrent keep-alive connections.")
    var connections = 16

    @Option(help: "Seconds of flat-out load that measure the maximum rate.")
    var warmup: Double = 10

    @Option(help: "Seconds between mapping file changes.")
    var churnInterval: Double = 15

    @Option(help: "Seconds between the starts of Sysdig fault bursts.")
    var faultInterval: Double = 40

    @Option(help: "Seconds each fault burst lasts.")
    var faultDuration: Double = 5

    @Option(help: "Seconds between RSS / descriptor samples.")
    var sampleInterval: Double = 5

    @Option(help: "The adapter's --sysdig-timeout (delay faults exceed it by 1 s).")
    var sysdigTimeout: Double = 2

    func validate() throws {
        guard duration >= 10, warmup > 0, churnInterval > 0, faultInterval > faultDuration, faultDuration > 0, sampleInterval > 0 else {
            throw ValidationError("need --duration ≥ 10 and positive intervals, --fault-interval > --fault-duration")
        }
    }

    func run() async throws {
        let directory = try BenchFixtures.temporaryDirectory("bench-soak")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (token, tokenFile) = try BenchFixtures.writeToken(in: directory)
        let mappings = directory.appendingPathComponent("mappings")
        try FileManager.default.createDirectory(at: mappings, withIntermediateDirectories: true)
        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo(clusterName: "demo"))
        try SoakChurn.writeInitialFiles(in: mappings)
        let result = try await simulator.withRunning { sysdigPort in
            let adapter = try AdapterProcess(adapter: try common.adapterPath(), [
                "serve", "--config-source", "files", "--mappings", mappings.path,
                "--sysdig-url", "http://127.0.0.1:\(sysdigPort)", "--sysdig-token-file", tokenFile,
                "--cluster-name", "demo", "--log-format", "text", "--log-level", "info",
                "--sysdig-timeout", "\(sysdigTimeout)",
            ])
            do {
                guard let port = await adapter.servingPort() else { throw BenchFailure("the adapter exited: \(adapter.stderrTail)") }
                return try await BenchHTTP.with(port: port, connections: connections) { http in
                    guard await http.waitReady(adapter) != nil else { throw BenchFailure("not ready: \(adapter.stderrTail)") }
                    return try await soak(http: http, adapter: adapter, simulator: simulator, mappings: mappings)
                }
            } catch {
                adapter.kill()
                throw error
            }
        }
        try emit(result)
    }

    private func soak(http: BenchHTTP, adapter: AdapterProcess, simulator: SysdigSimulator, mappings: URL) async throws -> SoakReport {
        let load = SoakLoad(http: http, connections: connections)
        let flatOut = await load.run(until: .now + .seconds(warmup), rate: nil)
        let maxRate = Double(flatOut.requests) / warmup
        let target = rate ?? (0.8 * maxRate).rounded()
        progress(String(format: "warm-up: %.0f req/s flat out; soaking at %.0f req/s for %.0f s", maxRate, target, duration))

        let samples = Mutex<[SoakReport.Sample]>([])
        let start = ContinuousClock.now
        let deadline = start + .seconds(duration)
        let churn = SoakChurn(directory: mappings, simulator: simulator, origin: start, sysdigTimeout: sysdigTimeout)
        let sample = { @Sendable in
            let point = SoakReport.Sample(
                seconds: (ContinuousClock.now - start).milliseconds / 1000, rssMiB: adapter.rssMiB,
                openFileDescriptors: adapter.openFileDescriptors, running: adapter.exitStatus == nil)
            samples.withLock { $0.append(point) }
        }
        sample()
        let outcome = try await withThrowingTaskGroup(of: SoakLoad.Outcome?.self) { group in
            group.addTask { await load.run(until: deadline, rate: target) }
            group.addTask {
                while ContinuousClock.now + .seconds(sampleInterval) < deadline {
                    try await Task.sleep(for: .seconds(sampleInterval))
                    sample()
                }
                return nil
            }
            group.addTask {
                var step = 0
                while ContinuousClock.now + .seconds(churnInterval) < deadline {
                    try await Task.sleep(for: .seconds(churnInterval))
                    try churn.churn(step: step)
                    step += 1
                }
                return nil
            }
            group.addTask {
                var step = 0
                // The first burst after one interval; none that would outlast the run.
                while ContinuousClock.now + .seconds(faultInterval) < deadline {
                    try await Task.sleep(for: .seconds(faultInterval - faultDuration))
                    try await churn.faultBurst(step: step, duration: .seconds(faultDuration))
                    step += 1
                }
                return nil
            }
            var total = SoakLoad.Outcome()
            for try await outcome in group {
                if let outcome { total.merge(outcome) }
            }
            return total
        }
        sample()
        let elapsed = (ContinuousClock.now - start).milliseconds / 1000
        let metricsText = (try? await http.get("/metrics"))?.body ?? ""
        // Idle keep-alive connections would hold the adapter's graceful shutdown for seconds.
        await http.shutdown()
        let status = await adapter.terminate()
        return SoakReport(
            outcome: outcome, samples: samples.withLock { $0 }, churn: churn, elapsed: elapsed, maxRate: maxRate,
            targetRate: target, connections: connections, grace: grace, exitStatus: status,
            cacheHitRatio: Self.cacheHitRatio(metricsText))
    }

    /// After a burst, answers may still fail for a cache TTL (10 s), a Retry-After
    /// (1 s) and one Sysdig deadline, plus a second of slack.
    var grace: Double { 10 + 1 + sysdigTimeout + 1 }

    static func cacheHitRatio(_ text: String) -> Double? {
        func value(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
        }
        guard let hits = value("sysdig_adapter_cache_hits_total"), let misses = value("sysdig_adapter_cache_misses_total"),
            hits + misses > 0
        else { return nil }
        return hits / (hits + misses)
    }
}
