import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Shared
import SysdigSimulator

/// `uncached`: the adapter's added latency per request with the cache off (issue 7,
/// goal 2). Sequentially, one request at a time over one keep-alive connection each:
/// a by-name query to the adapter (which sends exactly one Sysdig request, checked in
/// the simulator's log), then that same Sysdig request replayed straight to the
/// simulator. Added latency = adapter − simulator, at p50 and p99.
struct UncachedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uncached", abstract: "Added latency per request with the cache off (adapter − simulator).")

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Measured (adapter, simulator) request pairs.")
    var requests = 2000

    @Option(help: "Unmeasured pairs first.")
    var warmup = 100

    @Option(help: "The mappings directory (must map kuard_rps on services in namespace default).")
    var mappings = "crds/examples"

    static let path = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kuard/kuard_rps"

    /// The added latency at each percentile; `pairedP50` is the median of the
    /// per-pair differences (the pairs ran back to back under the same load).
    struct Added: Codable {
        var p50: Double
        var p99: Double
        var pairedP50: Double
    }

    struct Result: Codable {
        var benchmark = "uncached"
        var requests: Int
        var warmup: Int
        var path: String
        /// Driver → adapter (HTTPS, keep-alive) → simulator, per by-name query.
        var adapterMs: LatencySummary
        /// Driver → simulator (plain HTTP, keep-alive), the adapter's Sysdig request replayed.
        var simulatorMs: LatencySummary
        var addedMs: Added
        /// `/api/data` requests the adapter sent for the measured queries (cache off: = requests).
        var adapterSysdigRequests: Int
        var non200Answers: Int
        var adapterExitStatus: Int32
    }

    func run() async throws {
        guard requests > 0, warmup >= 0 else { throw ValidationError("--requests > 0 and --warmup ≥ 0") }
        let directory = try BenchFixtures.temporaryDirectory("bench-uncached")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (token, tokenFile) = try BenchFixtures.writeToken(in: directory)
        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo(clusterName: "demo"))
        guard FileManager.default.fileExists(atPath: mappings) else {
            throw BenchFailure("no mappings at \(mappings): run from the repository root or pass --mappings DIR")
        }
        let result = try await simulator.withRunning { sysdigPort in
            // A rate limit far above what sequential requests reach, so no request waits for a token.
            let arguments = [
                "serve", "--config-source", "files", "--mappings", mappings,
                "--sysdig-url", "http://127.0.0.1:\(sysdigPort)", "--sysdig-token-file", tokenFile,
                "--cluster-name", "demo", "--cache-ttl", "0", "--sysdig-qps", "100000", "--sysdig-burst", "100000",
                "--log-format", "text",
            ]
            let adapter = try AdapterProcess(adapter: try common.adapterPath(), arguments)
            do {
                guard let port = await adapter.servingPort() else { throw BenchFailure("the adapter exited: \(adapter.stderrTail)") }
                let direct = DirectHTTP(port: sysdigPort, token: token)
                do {
                    let result = try await BenchHTTP.with(port: port, connections: 1) { http in
                        guard await http.waitReady(adapter) != nil else { throw BenchFailure("not ready: \(adapter.stderrTail)") }
                        return try await measure(http: http, direct: direct, simulator: simulator, adapter: adapter)
                    }
                    await direct.shutdown()
                    return result
                } catch {
                    await direct.shutdown()
                    throw error
                }
            } catch {
                adapter.kill()
                throw error
            }
        }
        try emit(result)
    }

    private func measure(http: BenchHTTP, direct: DirectHTTP, simulator: SysdigSimulator, adapter: AdapterProcess) async throws -> Result {
        var adapterMs: [Double] = []
        var simulatorMs: [Double] = []
        var non200 = 0
        var sysdigRequests = 0
        for index in 0..<(warmup + requests) {
            let before = simulator.requests.count
            let start = ContinuousClock.now
            let answer = try await http.get(Self.path, keepBody: false)
            let adapterTime = (ContinuousClock.now - start).milliseconds
            let sent = simulator.requests.dropFirst(before).filter { $0.path == "/api/data" }
            guard let sysdigRequest = sent.first else {
                throw BenchFailure("query \(index) (status \(answer.status)) sent no Sysdig request: is the cache off?")
            }
            let replayStart = ContinuousClock.now
            let replayStatus = try await direct.replay(sysdigRequest)
            let simulatorTime = (ContinuousClock.now - replayStart).milliseconds
            guard index >= warmup else { continue }
            adapterMs.append(adapterTime)
            simulatorMs.append(simulatorTime)
            sysdigRequests += sent.count
            non200 += (answer.status == 200 ? 0 : 1) + (replayStatus == 200 ? 0 : 1)
        }
        let adapterSummary = LatencySummary(adapterMs)
        let simulatorSummary = LatencySummary(simulatorMs)
        let paired = LatencySummary(zip(adapterMs, simulatorMs).map { $0 - $1 })
        progress(String(
            format: "uncached: adapter p50 %.3f ms, simulator p50 %.3f ms, added p50 %.3f ms (%d Sysdig requests for %d queries)",
            adapterSummary.p50, simulatorSummary.p50, adapterSummary.p50 - simulatorSummary.p50, sysdigRequests, requests))
        // Idle keep-alive connections would hold the adapter's graceful shutdown for seconds.
        await http.shutdown()
        let status = await adapter.terminate()
        return Result(
            requests: requests, warmup: warmup, path: Self.path, adapterMs: adapterSummary, simulatorMs: simulatorSummary,
            addedMs: Added(
                p50: adapterSummary.p50 - simulatorSummary.p50, p99: adapterSummary.p99 - simulatorSummary.p99,
                pairedP50: paired.p50),
            adapterSysdigRequests: sysdigRequests, non200Answers: non200, adapterExitStatus: status)
    }
}
