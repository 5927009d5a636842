import ArgumentParser
import Foundation
import Shared
import SysdigSimulator

/// `economy`: Sysdig requests per HPA cycle. 1,000 simulated HPAs poll 100 distinct
/// (alias, object) pairs each cycle; the simulator's request log counts what reached
/// Sysdig. Then one Pods selector query over every pod counts its Sysdig requests.
struct EconomyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "economy", abstract: "Sysdig requests per HPA cycle and per selector query.")

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Simulated HPAs.")
    var hpas = 1000

    @Option(help: "Distinct (alias, object) pairs: 10 aliases × pairs/10 pods.")
    var pairs = 100

    @Option(help: "Pods in the namespace (the selector query covers all of them).")
    var pods = 500

    @Option(help: "HPA cycles per scenario.")
    var cycles = 3

    @Option(help: "Compresses time by this factor: HPA period 15/K s, --cache-ttl 10/K s, --sysdig-qps 20·K, --sysdig-burst 40·K (1: real time, the adapter's defaults).")
    var timeScale: Double = 1

    struct Scenario: Codable {
        var name: String
        var description: String
        /// /api/data requests in each cycle, the first (cold cache) included.
        var sysdigRequestsPerCycle: [Int]
        var non200Answers: Int
    }

    struct Result: Codable {
        var benchmark = "economy"
        var hpas: Int
        var pairs: Int
        var pods: Int
        var timeScale: Double
        var hpaPeriodSeconds: Double
        var cacheTTLSeconds: Double
        var scenarios: [Scenario]
        var selectorQueryItems: Int
        var selectorQuerySysdigRequests: Int
        var adapterExitStatus: Int32
    }

    var aliases: Int { max(1, pairs / 10) }
    var objectsPerAlias: Int { max(1, pairs / aliases) }

    func run() async throws {
        guard timeScale >= 1, pods >= objectsPerAlias else { throw ValidationError("--time-scale ≥ 1 and --pods ≥ pairs/10") }
        let directory = try BenchFixtures.temporaryDirectory("bench-economy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (token, tokenFile) = try BenchFixtures.writeToken(in: directory)
        let mappingsDirectory = directory.appendingPathComponent("mappings")
        try FileManager.default.createDirectory(at: mappingsDirectory, withIntermediateDirectories: true)
        let yaml = (0..<aliases).map { index in
            BenchFixtures.clusterMappingYAML(
                name: "eco-\(index)", alias: "eco_\(index)",
                metric: index.isMultiple(of: 2) ? "net.http.request.count" : "cpu.used.percent", resources: ["pods", "deployments"])
        }.joined()
        try yaml.write(to: mappingsDirectory.appendingPathComponent("economy.yaml"), atomically: true, encoding: .utf8)
        let simulator = SysdigSimulator(token: token, world: BenchFixtures.manyPods(pods, clusterName: "demo"))
        // The adapter's defaults at time scale 1; scaled so their ratios to the HPA period hold.
        let scaled = timeScale == 1 ? [] : [
            "--cache-ttl", "\(10 / timeScale)", "--sysdig-qps", "\(20 * timeScale)", "--sysdig-burst", "\(Int(40 * timeScale))",
        ]
        let result = try await simulator.withRunning { sysdigPort in
            let arguments = [
                "serve", "--config-source", "files", "--mappings", mappingsDirectory.path,
                "--sysdig-url", "http://127.0.0.1:\(sysdigPort)", "--sysdig-token-file", tokenFile,
                "--cluster-name", "demo", "--log-format", "text",
            ] + scaled
            let adapter = try AdapterProcess(adapter: try common.adapterPath(), arguments)
            do {
                guard let port = await adapter.servingPort() else { throw BenchFailure("the adapter exited: \(adapter.stderrTail)") }
                return try await BenchHTTP.with(port: port, connections: 16) { http in
                    guard await http.waitReady(adapter) != nil else { throw BenchFailure("not ready: \(adapter.stderrTail)") }
                    return try await measure(http: http, simulator: simulator, adapter: adapter)
                }
            } catch {
                adapter.kill()
                throw error
            }
        }
        try emit(result)
    }

    private func measure(http: BenchHTTP, simulator: SysdigSimulator, adapter: AdapterProcess) async throws -> Result {
        let period = Duration.milliseconds(Int64(15_000 / timeScale))
        let scenarios = [
            ("aligned", "every HPA polls at the start of the cycle (HPAs created together resync together)", 0.0),
            ("spread", "HPAs poll at evenly spread phases over the whole period (the worst case for a TTL shorter than the period)", 1.0),
        ]
        var results: [Scenario] = []
        for (name, description, spread) in scenarios {
            var counts: [Int] = []
            var non200 = 0
            for cycle in 0..<cycles {
                let before = dataRequests(simulator)
                let start = ContinuousClock.now
                non200 += await pollCycle(http, period: period, spread: spread)
                try await Task.sleep(until: start + period)
                counts.append(dataRequests(simulator) - before)
                progress("economy \(name) cycle \(cycle): \(counts.last ?? 0) Sysdig requests")
            }
            results.append(Scenario(name: name, description: description, sysdigRequestsPerCycle: counts, non200Answers: non200))
            // The next scenario starts from a cold cache, as the first did.
            try await Task.sleep(for: period)
        }
        let before = dataRequests(simulator)
        let answer = try await http.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/*/eco_0?labelSelector=app%3Dbench")
        let selectorRequests = dataRequests(simulator) - before
        let items = ((try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any])?["items"] as? [Any]
        progress("selector over \(pods) pods: status \(answer.status), \(items?.count ?? 0) items, \(selectorRequests) Sysdig requests")
        // Idle keep-alive connections would hold the adapter's graceful shutdown for seconds.
        await http.shutdown()
        let status = await adapter.terminate()
        return Result(
            hpas: hpas, pairs: aliases * objectsPerAlias, pods: pods, timeScale: timeScale,
            hpaPeriodSeconds: period.milliseconds / 1000, cacheTTLSeconds: 10 / timeScale, scenarios: results,
            selectorQueryItems: items?.count ?? 0, selectorQuerySysdigRequests: selectorRequests, adapterExitStatus: status)
    }

    /// One HPA cycle: HPA `h` asks for pair `h % pairs` at `h / hpas · spread · period`.
    /// Returns the number of answers other than 200.
    private func pollCycle(_ http: BenchHTTP, period: Duration, spread: Double) async -> Int {
        let start = ContinuousClock.now
        return await withTaskGroup(of: Int.self) { group in
            for hpa in 0..<hpas {
                let pair = hpa % (aliases * objectsPerAlias)
                let path = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/pod-\(pair % objectsPerAlias)/eco_\(pair / objectsPerAlias)"
                let offset = period * (Double(hpa) / Double(hpas) * spread)
                group.addTask {
                    try? await Task.sleep(until: start + offset)
                    let answer = try? await http.get(path, keepBody: false)
                    return answer?.status == 200 ? 0 : 1
                }
            }
            return await group.reduce(0, +)
        }
    }

    private func dataRequests(_ simulator: SysdigSimulator) -> Int {
        simulator.requests.count { $0.path == "/api/data" }
    }
}
