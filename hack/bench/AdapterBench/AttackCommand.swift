import ArgumentParser
import Foundation
import NIOPosix
import Shared
import SysdigSimulator
import TestSupport

/// `attack`: pre-authentication denial-of-service attacks (issue 13 §3) against the real
/// binary in delegated-auth mode on 127.0.0.1, one fresh adapter per attack, while a
/// legitimate client (the aggregator: front-proxy certificate, `X-Remote-User`, one keep-alive
/// connection) polls a custom metric. Per attack: the adapter's CPU, RSS before / peak /
/// after, and the legitimate client's p50 / p99 and errors before, during and after.
///
/// Each attack is bounded in time (`--duration`) and in count (`--max-operations` requests or
/// connections, and its concurrency option).
struct AttackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attack",
        abstract: "Pre-authentication DoS attacks (issue 13) while a legitimate aggregator client polls a metric.")

    /// The attacks, in the order they run.
    enum Kind: String, CaseIterable, Codable, Sendable {
        case certificateChain = "cert-chain"
        case certificateChainAtLimit = "cert-chain-at-limit"
        case pathFlood = "path-flood"
        case tokenFlood = "token-flood"
        case silentConnections = "silent-connections"
        case slowloris
        case inflightFlood = "inflight-flood"
    }

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Seconds each attack runs.")
    var duration: Double = 30

    @Option(help: "Seconds of legitimate polling alone before each attack (the baseline).")
    var baseline: Double = 5

    @Option(help: "Seconds after each attack before the 'after' reading (the legitimate client keeps polling; longer than the adapter's 10 s review and cache TTLs).")
    var settle: Double = 15

    @Option(help: "Attack rounds against the same adapter, each followed by a settle. RSS after each tells memory that keeps growing (a leak) from memory the allocator keeps after round 1 (a plateau). The goals are judged on round 1.")
    var rounds = 2

    @Option(help: "Comma-separated attacks to run: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")). Default: all.")
    var attacks = Kind.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Milliseconds the legitimate client waits after each answer before its next request.")
    var pollInterval: Double = 50

    @Option(help: "Requests or connections each attack may start at most.")
    var maxOperations = 200_000

    @Option(help: "cert-chain: certificates in each crafted chain (issue 13: 11-13).")
    var chainCertificates = 12

    @Option(help: "cert-chain-at-limit: certificates in each crafted chain (the adapter's limit: 5).")
    var limitChainCertificates = 5

    @Option(help: "cert-chain, cert-chain-at-limit: connections at once.")
    var chainConcurrency = 8

    @Option(help: "path-flood, token-flood: keep-alive connections, each sending requests back to back.")
    var floodConcurrency = 64

    @Option(help: "path-flood: bytes in each random path.")
    var pathBytes = 60_000

    @Option(help: "token-flood: characters in each random bearer token.")
    var tokenBytes = 256

    @Option(help: "inflight-flood: concurrent requests (above the adapter's --max-requests-inflight, 400 by default).")
    var inflightConcurrency = 600

    @Option(help: "silent-connections, slowloris: connections held at once (above the adapter's --max-connections default).")
    var connections = 2500

    @Option(help: "slowloris: seconds between the bytes of each connection's request head.")
    var slowlorisInterval: Double = 1

    @Option(help: "silent-connections, slowloris: seconds over which the connections are opened.")
    var ramp: Double = 3

    @Option(help: "The adapter's --log-level (info is the default a deployment runs with).")
    var adapterLogLevel = "info"

    @Option(help: "Also write the BENCHMARKS.md section (markdown) to this file.")
    var markdown: String?

    @Option(help: "What the adapter binary is, for the markdown (default: guessed from its path).")
    var label: String?

    /// The metric the legitimate client polls (a cluster mapping served from the simulator).
    static let metricPath = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kuard/kuard_rps"

    func validate() throws {
        guard duration > 0, baseline > 0, settle >= 0, pollInterval >= 0, maxOperations > 0, rounds > 0 else {
            throw ValidationError("--duration, --baseline, --rounds and --max-operations must be positive; --settle and --poll-interval ≥ 0")
        }
        guard chainCertificates > 0, limitChainCertificates > 0, chainConcurrency > 0, floodConcurrency > 0,
            inflightConcurrency > 0, connections > 0, slowlorisInterval > 0, pathBytes > 0, tokenBytes > 0, ramp >= 0
        else { throw ValidationError("attack sizes must be positive") }
        _ = try selectedAttacks()
    }

    func selectedAttacks() throws -> [Kind] {
        try attacks.split(separator: ",").map { name in
            let name = name.trimmingCharacters(in: .whitespaces)
            guard let kind = Kind(rawValue: name) else {
                throw ValidationError("unknown attack \(name): use \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }

    func run() async throws {
        let adapterPath = try common.adapterPath()
        let source = AttackReport.SourceState.current(adapter: adapterPath)
        // Every attack runs the same binary even if the build directory is rebuilt meanwhile.
        let snapshot = try BenchFixtures.temporaryDirectory("bench-attack-adapter")
        defer { try? FileManager.default.removeItem(at: snapshot) }
        let binary = snapshot.appendingPathComponent("sysdig-adapter").path
        try FileManager.default.copyItem(atPath: adapterPath, toPath: binary)
        let pki = try AttackPKI()
        var runs: [AttackRun] = []
        for kind in try selectedAttacks() {
            progress("attack \(kind.rawValue): \(description(kind))")
            let run = try await runOne(kind, adapterPath: binary, pki: pki)
            progress(run.progressLine)
            runs.append(run)
        }
        let report = AttackReport(
            adapter: adapterPath, label: label ?? AttackReport.guessLabel(adapterPath),
            source: source,
            command: ([relativePath(CommandLine.arguments[0]), "attack"] + CommandLine.arguments.dropFirst(2).map(relativePath))
                .joined(separator: " "),
            cores: ProcessInfo.processInfo.activeProcessorCount, durationSeconds: duration, baselineSeconds: baseline,
            settleSeconds: settle, pollIntervalMs: pollInterval, attacks: runs)
        if let markdown {
            try report.markdown().write(toFile: markdown, atomically: true, encoding: .utf8)
        }
        try emit(report)
    }

    /// What `kind` does, with this run's sizes.
    func description(_ kind: Kind) -> String {
        switch kind {
        case .certificateChain:
            "\(chainConcurrency) at a time: a new TLS connection presenting a crafted chain of \(chainCertificates) CA certificates (one subject and key, distinct SANs, issuing each other; 16 such chains in turn), one request, closed"
        case .certificateChainAtLimit:
            "as cert-chain, with \(limitChainCertificates) certificates (within the adapter's count limit, so path building runs, under its signature-check budget) and a new chain and key for every connection (no verdict cache helps)"
        case .pathFlood:
            "\(floodConcurrency) keep-alive connections, no credentials, requests back to back for distinct random /apis/... paths of \(pathBytes) bytes"
        case .tokenFlood:
            "\(floodConcurrency) keep-alive connections, requests back to back for the metric with a distinct random \(tokenBytes)-character bearer token each (a TokenReview each)"
        case .silentConnections:
            "\(connections) TCP connections opened over \(Int(ramp)) s that never send a byte; one the adapter closes is reopened 1 s later"
        case .slowloris:
            "\(connections) TLS connections opened over \(Int(ramp)) s, each sending its request head one byte every \(slowlorisInterval) s, never finishing it; reopened 1 s after the adapter closes one"
        case .inflightFlood:
            "\(inflightConcurrency) concurrent keep-alive connections, no credentials, requests back to back for metric paths in random namespaces and objects (an anonymous SubjectAccessReview each)"
        }
    }

    // MARK: one attack

    private func runOne(_ kind: Kind, adapterPath: String, pki: AttackPKI) async throws -> AttackRun {
        let directory = try BenchFixtures.temporaryDirectory("bench-attack")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (token, tokenFile) = try BenchFixtures.writeToken(in: directory)
        let simulator = SysdigSimulator(token: token, world: SysdigSimulator.demo(clusterName: "demo"))
        let kube = KubeAPITestServer()
        try kube.seed(.clusterSysdigMetricMappings, object: BenchFixtures.mapping("kuard", namespace: nil, alias: "kuard_rps"))
        try kube.seed(.configMaps, namespace: "kube-system", object: try pki.configMap())
        // Only the HPA controller may read metrics; everyone else (anonymous) is denied.
        kube.setSubjectAccessReviewHandler { spec in
            spec["user"]?.stringValue == AttackLegitimateClient.user
                ? .object(["allowed": .bool(true)])
                : .object(["allowed": .bool(false), "reason": .string("no RBAC policy matched")])
        }
        kube.setTokenReviewHandler { _ in .object(["authenticated": .bool(false), "error": .string("invalid bearer token")]) }
        return try await simulator.withRunning { sysdigPort in
            try await kube.withRunning { kubePort in
                let kubeconfig = try KubeTestFixtures.writeKubeconfig(in: directory, port: kubePort)
                let adapter = try AdapterProcess(adapter: adapterPath, [
                    "serve", "--config-source", "kubernetes", "--kubeconfig", kubeconfig,
                    "--sysdig-url", "http://127.0.0.1:\(sysdigPort)", "--sysdig-token-file", tokenFile,
                    "--cluster-name", "demo", "--log-format", "text", "--log-level", adapterLogLevel,
                ])
                do {
                    return try await measure(kind, adapter: adapter, kube: kube, pki: pki)
                } catch {
                    adapter.kill()
                    throw error
                }
            }
        }
    }

    private func measure(_ kind: Kind, adapter: AdapterProcess, kube: KubeAPITestServer, pki: AttackPKI) async throws -> AttackRun {
        guard let port = await adapter.servingPort() else {
            throw BenchFailure("the adapter exited before serving: \(adapter.stderrTail)")
        }
        let ready = try await BenchHTTP.with(port: port, connections: 1) { http in await http.waitReady(adapter) }
        guard ready != nil else { throw BenchFailure("the adapter did not become ready: \(adapter.stderrTail)") }
        let legitimate = try AttackLegitimateClient(
            port: port, path: Self.metricPath, identity: pki.frontProxy, interval: .milliseconds(Int64(pollInterval)))
        do {
            let run = try await measure(kind, adapter: adapter, kube: kube, port: port, legitimate: legitimate)
            await legitimate.stop()
            let status = await adapter.terminate()
            if ProcessInfo.processInfo.environment["BENCH_SHOW_ADAPTER_LOG"] != nil { progress(adapter.stderrTail) }
            return run.finished(exitStatus: status)
        } catch {
            await legitimate.stop()
            throw error
        }
    }

    private func measure(
        _ kind: Kind, adapter: AdapterProcess, kube: KubeAPITestServer, port: Int, legitimate: AttackLegitimateClient
    ) async throws -> AttackRun {
        // The aggregator's first request waits for the authentication ConfigMap to be read.
        let warmupLimit = ContinuousClock.now + .seconds(30)
        while !(await legitimate.probe()) {
            guard ContinuousClock.now < warmupLimit, adapter.exitStatus == nil else {
                throw BenchFailure("the legitimate client got no 200 in 30 s: \(adapter.stderrTail)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let sampler = AttackSampler(pid: adapter.pid)
        let sampling = Task { await sampler.run(every: .milliseconds(200)) }
        defer { sampling.cancel() }

        let baselineStart = sampler.sample()
        legitimate.enter(.baseline)
        legitimate.start()
        try await Task.sleep(for: .seconds(baseline))

        let metricsBefore = await legitimate.fetch("/metrics").map(AdapterGuardScrape.init(text:))
        var rounds: [Round] = []
        var metricsAfter: AdapterGuardScrape?
        for round in 1...self.rounds {
            rounds.append(try await attackRound(round, kind, port: port, kube: kube, legitimate: legitimate, sampler: sampler))
            // The guard counters cover the first round, like the tables.
            if round == 1 { metricsAfter = await legitimate.fetch("/metrics").map(AdapterGuardScrape.init(text:)) }
        }
        sampling.cancel()

        let first = rounds[0]
        func percent(_ from: AttackSampler.Reading, _ to: AttackSampler.Reading) -> Double? {
            guard let a = from.cpuSeconds, let b = to.cpuSeconds else { return nil }
            let seconds = (to.at - from.at).milliseconds / 1000
            return seconds > 0 ? (b - a) / seconds * 100 : nil
        }
        func rss(_ round: Round) -> AttackRun.Readings {
            .init(before: round.attackStart.rssMiB, peak: round.during.compactMap(\.rssMiB).max(), after: round.settleEnd.rssMiB)
        }
        return AttackRun(
            attack: kind.rawValue, description: description(kind), attackSeconds: first.seconds,
            attackerWindDownSeconds: first.windDown,
            attacker: first.load,
            legitimate: .init(
                baseline: LegitimateSummary(legitimate.samples(.baseline)),
                attack: LegitimateSummary(legitimate.samples(.attack(round: 1))),
                settle: LegitimateSummary(legitimate.samples(.settle(round: 1)))),
            legitimateNewConnections: .init(
                baseline: LegitimateSummary(legitimate.samples(.baseline, .newConnection)),
                attack: LegitimateSummary(legitimate.samples(.attack(round: 1), .newConnection)),
                settle: LegitimateSummary(legitimate.samples(.settle(round: 1), .newConnection))),
            adapterCPUPercent: .init(
                baseline: percent(baselineStart, first.attackStart), attack: percent(first.attackStart, first.attackEnd),
                settle: percent(first.attackEnd, first.settleEnd)),
            adapterCPUSecondsDuringAttack: difference(first.attackStart.cpuSeconds, first.attackEnd.cpuSeconds),
            driverCPUPercentDuringAttack: first.driverPercent,
            loadAverageAtAttackEnd: first.loadAverage,
            rssMiB: rss(first),
            fileDescriptors: .init(
                before: first.attackStart.fileDescriptors.map(Double.init),
                peak: first.during.compactMap(\.fileDescriptors).max().map(Double.init),
                after: first.settleEnd.fileDescriptors.map(Double.init)),
            tokenReviewsDuringAttack: first.tokenReviews,
            subjectAccessReviewsDuringAttack: first.subjectAccessReviews,
            adapterRunningAfter: adapter.exitStatus == nil, adapterMetricsBefore: metricsBefore, adapterMetricsAfter: metricsAfter,
            laterRounds: rounds.dropFirst().map { round in
                AttackRun.Round(
                    round: round.number, operations: round.load.operations,
                    legitimate: LegitimateSummary(legitimate.samples(.attack(round: round.number))),
                    legitimateNewConnections: LegitimateSummary(legitimate.samples(.attack(round: round.number), .newConnection)),
                    adapterCPUPercent: percent(round.attackStart, round.attackEnd), rssMiB: rss(round))
            })
    }

    /// What one attack round measured.
    private struct Round {
        var number: Int
        var attackStart: AttackSampler.Reading
        var attackEnd: AttackSampler.Reading
        var settleEnd: AttackSampler.Reading
        /// The readings during the attack.
        var during: [AttackSampler.Reading]
        var seconds: Double
        var windDown: Double
        var load: AttackLoadSummary
        var driverPercent: Double
        var loadAverage: Double?
        var tokenReviews: Int
        var subjectAccessReviews: Int
    }

    /// One attack for `--duration`, then the settle.
    private func attackRound(
        _ number: Int, _ kind: Kind, port: Int, kube: KubeAPITestServer, legitimate: AttackLegitimateClient, sampler: AttackSampler
    ) async throws -> Round {
        let attackStart = sampler.sample()
        let driverBefore = AttackSampler.ownCPUSeconds()
        let reviewsBefore = (kube.tokenReviews.count, kube.subjectAccessReviews.count)
        legitimate.enter(.attack(round: number))
        let deadline = attackStart.at + .seconds(duration)
        let tally = AttackTally(limit: maxOperations)
        // The attack phase ends at the deadline; the attacker's requests and connections still
        // open then are cancelled and closed, and the settle starts once they are.
        async let attacking: Void = attack(kind, port: port, until: deadline, tally: tally)
        try? await Task.sleep(until: deadline)
        legitimate.enter(.settle(round: number))
        let attackEnd = sampler.sample()
        let driverAfter = AttackSampler.ownCPUSeconds()
        let reviewsAfter = (kube.tokenReviews.count, kube.subjectAccessReviews.count)
        let loadAverage = AttackSampler.loadAverage()
        let seconds = (attackEnd.at - attackStart.at).milliseconds / 1000
        await attacking
        let windDown = (ContinuousClock.now - attackEnd.at).milliseconds / 1000
        try await Task.sleep(for: .seconds(settle))
        let settleEnd = sampler.sample()
        let round = Round(
            number: number, attackStart: attackStart, attackEnd: attackEnd, settleEnd: settleEnd,
            during: sampler.readings(from: attackStart.at, to: attackEnd.at), seconds: seconds, windDown: windDown,
            load: tally.summary(seconds: seconds), driverPercent: seconds > 0 ? (driverAfter - driverBefore) / seconds * 100 : 0,
            loadAverage: loadAverage, tokenReviews: reviewsAfter.0 - reviewsBefore.0,
            subjectAccessReviews: reviewsAfter.1 - reviewsBefore.1)
        if number > 1 {
            progress(String(
                format: "  round %d: %d ops; legitimate p99 %.1f ms, %d errors; RSS %.1f → %.1f MiB", number, round.load.operations,
                LegitimateSummary(legitimate.samples(.attack(round: number))).latencyMs.p99,
                LegitimateSummary(legitimate.samples(.attack(round: number))).errors,
                round.during.compactMap(\.rssMiB).max() ?? -1, settleEnd.rssMiB ?? -1))
        }
        return round
    }

    /// Runs `kind` until `deadline`. Its traffic has event loop threads of its own, so the
    /// test servers' loops (in this process too) are not queued behind the attacker's work.
    private func attack(_ kind: Kind, port: Int, until deadline: ContinuousClock.Instant, tally: AttackTally) async {
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { loops.shutdownGracefully { _ in } }
        switch kind {
        case .certificateChain:
            await AttackConnections.certificateChains(
                port: port, path: Self.metricPath, certificates: chainCertificates, fresh: false, concurrency: chainConcurrency,
                until: deadline, tally: tally, group: loops)
        case .certificateChainAtLimit:
            await AttackConnections.certificateChains(
                port: port, path: Self.metricPath, certificates: limitChainCertificates, fresh: true, concurrency: chainConcurrency,
                until: deadline, tally: tally, group: loops)
        case .pathFlood:
            await AttackFloods.pathFlood(port: port, concurrency: floodConcurrency, bytes: pathBytes, until: deadline, tally: tally, group: loops)
        case .tokenFlood:
            await AttackFloods.tokenFlood(
                port: port, path: Self.metricPath, concurrency: floodConcurrency, bytes: tokenBytes, until: deadline, tally: tally, group: loops)
        case .silentConnections:
            await AttackConnections.holdConnections(
                port: port, count: connections, slowloris: false, byteInterval: .seconds(slowlorisInterval),
                ramp: .seconds(ramp), until: deadline, tally: tally, group: loops)
        case .slowloris:
            await AttackConnections.holdConnections(
                port: port, count: connections, slowloris: true, byteInterval: .seconds(slowlorisInterval),
                ramp: .seconds(ramp), until: deadline, tally: tally, group: loops)
        case .inflightFlood:
            await AttackFloods.inflightFlood(port: port, concurrency: inflightConcurrency, until: deadline, tally: tally, group: loops)
        }
    }
}

/// `to - from`, when both are known.
private func difference(_ from: Double?, _ to: Double?) -> Double? {
    guard let from, let to else { return nil }
    return to - from
}

/// `path` relative to the working directory when inside it (for the command shown in the report).
func relativePath(_ path: String) -> String {
    let root = FileManager.default.currentDirectoryPath + "/"
    return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
}
