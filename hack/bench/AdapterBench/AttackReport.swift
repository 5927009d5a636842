import Foundation

/// One attack's measurements.
struct AttackRun: Codable, Sendable {
    /// The legitimate client in each phase.
    struct Legitimate: Codable, Sendable {
        var baseline: LegitimateSummary
        var attack: LegitimateSummary
        var settle: LegitimateSummary
    }

    /// A figure per phase.
    struct Phases: Codable, Sendable {
        var baseline: Double?
        var attack: Double?
        var settle: Double?
    }

    /// Before the attack, its peak during the attack, after the settle.
    struct Readings: Codable, Sendable {
        var before: Double?
        var peak: Double?
        var after: Double?
    }

    /// A later round against the same adapter (`--rounds`).
    struct Round: Codable, Sendable {
        var round: Int
        var operations: Int
        var legitimate: LegitimateSummary
        var legitimateNewConnections: LegitimateSummary
        var adapterCPUPercent: Double?
        /// Before: at this round's start (the previous round's 'after').
        var rssMiB: Readings
    }

    /// Issue 13 §3's goals for this attack.
    struct Goals: Codable, Sendable {
        var legitimateP99Under100ms: Bool
        var legitimateNoErrors: Bool
        var rssPeakUnderTwiceIdle: Bool
        var rssAfterNearBefore: Bool

        var all: Bool { legitimateP99Under100ms && legitimateNoErrors && rssPeakUnderTwiceIdle && rssAfterNearBefore }
    }

    /// "RSS after near before": at most this fraction above the RSS before the attack.
    static let settleTolerance = 0.2

    var attack: String
    var description: String
    var attackSeconds: Double
    /// From the deadline until the attacker's last request or connection was cancelled or closed.
    var attackerWindDownSeconds: Double
    var attacker: AttackLoadSummary
    var legitimate: Legitimate
    /// The same request on a new connection each time, every second (not in the goals).
    var legitimateNewConnections: Legitimate
    /// utime + stime over each phase, percent of one core.
    var adapterCPUPercent: Phases
    var adapterCPUSecondsDuringAttack: Double?
    /// The driver (attackers, legitimate client, test servers) during the attack, percent of one core.
    var driverCPUPercentDuringAttack: Double
    /// The machine's 1-minute load average at the end of the attack (other processes included).
    var loadAverageAtAttackEnd: Double?
    var rssMiB: Readings
    var fileDescriptors: Readings
    /// TokenReviews / SubjectAccessReviews the API test server answered during the attack.
    var tokenReviewsDuringAttack: Int
    var subjectAccessReviewsDuringAttack: Int
    var adapterRunningAfter: Bool
    /// The adapter's /metrics before the attack and after the settle (nil: not readable).
    var adapterMetricsBefore: AdapterGuardScrape?
    var adapterMetricsAfter: AdapterGuardScrape?
    var laterRounds: [Round]
    var adapterExitStatus: Int32?
    var goals: Goals?

    /// With the adapter's exit status and the goals evaluated.
    func finished(exitStatus: Int32) -> AttackRun {
        var run = self
        run.adapterExitStatus = exitStatus
        let before = rssMiB.before ?? .infinity
        run.goals = Goals(
            legitimateP99Under100ms: legitimate.attack.latencyMs.p99 < 100 && legitimate.attack.requests > 0,
            legitimateNoErrors: legitimate.attack.errors == 0,
            rssPeakUnderTwiceIdle: (rssMiB.peak ?? .infinity) < 2 * before,
            rssAfterNearBefore: (rssMiB.after ?? .infinity) <= before * (1 + Self.settleTolerance))
        return run
    }

    var progressLine: String {
        let during = legitimate.attack
        return String(
            format: "%@: %d ops (%.0f/s); legitimate p50 %.1f ms p99 %.1f ms, %d errors of %d; CPU %.0f%%; RSS %.1f → %.1f → %.1f MiB",
            attack, attacker.operations, attacker.perSecond, during.latencyMs.p50, during.latencyMs.p99, during.errors,
            during.requests, adapterCPUPercent.attack ?? -1, rssMiB.before ?? -1, rssMiB.peak ?? -1, rssMiB.after ?? -1)
    }
}

/// What the adapter's own `/metrics` says about its guards, read before the attack and after
/// the settle (with the legitimate client's identity).
struct AdapterGuardScrape: Codable, Sendable {
    /// The guard counters and gauges, by series (`name{labels}`).
    var series: [String: Double]
    /// Series of `sysdig_adapter_api_requests_total` (bounded label sets: must not grow with random paths).
    var apiRequestSeries: Int
    /// Size of the whole exposition.
    var metricsBytes: Int

    static let guardMetrics: Set<String> = [
        "sysdig_adapter_refused_connections_total", "sysdig_adapter_connections_closed_total",
        "sysdig_adapter_requests_rejected_total", "sysdig_adapter_open_connections", "sysdig_adapter_requests_in_flight",
    ]

    init(text: String) {
        var series: [String: Double] = [:]
        var apiRequestSeries = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let key = String(line[..<space])
            let name = String(key.prefix { $0 != "{" })
            if name == "sysdig_adapter_api_requests_total" { apiRequestSeries += 1 }
            if Self.guardMetrics.contains(name), let value = Double(line[line.index(after: space)...]) {
                series[key] = value
            }
        }
        self.series = series
        self.apiRequestSeries = apiRequestSeries
        metricsBytes = text.utf8.count
    }

    /// Counters that grew from `before` to this scrape (`_total` series only), by how much.
    func increments(since before: AdapterGuardScrape?) -> [String: Double] {
        var grown: [String: Double] = [:]
        for (key, value) in series where key.contains("_total") {
            let delta = value - (before?.series[key] ?? 0)
            if delta > 0 { grown[key] = delta }
        }
        return grown
    }
}

/// The `attack` subcommand's output.
struct AttackReport: Codable, Sendable {
    /// Which source the adapter binary was built from.
    struct SourceState: Codable, Sendable {
        var commit: String?
        /// Files under Sources/ (and Package.swift) changed or added since the commit.
        var uncommittedSourceFiles: Int?
        /// The binary's modification time (UTC).
        var adapterBuilt: String?

        static func current(adapter: String) -> SourceState {
            let commit = git(["rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines)
            let status = git(["status", "--porcelain", "--untracked-files=all", "--", "Sources", "Package.swift"])
            let built = (try? FileManager.default.attributesOfItem(atPath: adapter)[.modificationDate] as? Date)
                .map { Self.utc($0) }
            return SourceState(
                commit: commit, uncommittedSourceFiles: status.map { $0.split(separator: "\n").count }, adapterBuilt: built)
        }

        static func utc(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
            return formatter.string(from: date)
        }

        private static func git(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
        }
    }

    var benchmark = "attack"
    var adapter: String
    var label: String
    var source: SourceState
    var command: String
    var cores: Int
    var durationSeconds: Double
    var baselineSeconds: Double
    var settleSeconds: Double
    var pollIntervalMs: Double
    var attacks: [AttackRun]

    /// "debug build" / "release build" from the binary's path.
    static func guessLabel(_ path: String) -> String {
        if path.contains("/release/") { return "release build (swift build -c release)" }
        if path.contains("/debug/") { return "debug build" }
        return "build at \(path)"
    }

    // MARK: markdown

    /// Ends the generated section; hack/bench/run keeps the hand-written notes after it.
    static let endMarker = "<!-- End of the generated attack benchmark. Notes below this line are kept when hack/bench/run regenerates it. -->"

    /// The BENCHMARKS.md section.
    func markdown() -> String {
        let now = SourceState.utc(Date())
        let commit = source.commit.map { "`\($0.prefix(12))`" } ?? "unknown"
        let dirty = (source.uncommittedSourceFiles ?? 0) > 0
            ? " plus \(source.uncommittedSourceFiles!) uncommitted files under Sources/ (the fixes landing while this ran)"
            : ""
        var lines = [
            "## Attack benchmark (issue 13)",
            "",
            "Generated by `sysdig-adapter-bench attack` on \(now), \(cores) cores, **\(label)** (`\(relativePath(adapter))`"
                + "\(source.adapterBuilt.map { ", built \($0)" } ?? "")), adapter source: commit \(commit)\(dirty).",
            "",
            "Command (repository root):",
            "",
            "    \(command)",
            "",
            "`ATTACK=only hack/bench/run` (with `CONFIG` and `SWIFT_BUILD_ARGS` as for the other benchmarks, `ATTACK_DURATION` for "
                + "`--duration`) builds both products, runs this and replaces this section; `ATTACK=1` adds it to the full run.",
            "",
            "Each attack gets a fresh adapter on 127.0.0.1: `serve --config-source kubernetes` against the in-process Kubernetes "
                + "API test server and Sysdig simulator; delegated authentication configured by `kube-system/extension-apiserver-authentication` "
                + "(request-header CA with allowed name `front-proxy-client`, client CA) plus TokenReview; delegated authorization "
                + "(SubjectAccessReview: only the HPA controller's user is allowed); every limit at its default.",
            "",
            "The legitimate client is the aggregator: front-proxy client certificate, `X-Remote-User: \(AttackLegitimateClient.user)`, "
                + "one keep-alive connection, polling `\(AttackCommand.metricPath)` \(fmt(pollIntervalMs, 0)) ms after each answer "
                + "(an error: anything but 200, or no answer in 5 s).",
            "",
            "Phases: baseline \(fmt(baselineSeconds, 0)) s (legitimate client only), attack \(fmt(durationSeconds, 0)) s, settle "
                + "\(fmt(settleSeconds, 0)) s (legitimate client only, from the moment the attacker's last connection is closed; 'after' is read at its end). "
                + "CPU: the adapter's utime + stime over the phase, in % of one core. RSS: VmRSS; the peak is sampled every 200 ms during the attack. "
                + "The attackers (on event loop threads of their own), the legitimate client (on its own thread) and both test servers run in the "
                + "driver process on the same cores as the adapter (its CPU is shown per attack), so latencies include that contention.",
            "",
            "Goals (issue 13 §3), per attack: legitimate p99 < 100 ms with no errors during the attack; RSS peak < 2× the RSS "
                + "before the attack (idle); RSS after the settle at most \(Int(AttackRun.settleTolerance * 100)) % above before.",
            "",
            "Round 1 is in the tables and the goals. With `--rounds` above 1 the same attack runs again on the same adapter "
                + "after the settle: RSS after each round tells memory that keeps growing (held by the adapter) from a plateau "
                + "(the allocator keeping pages it got in round 1). 'New conn.': the same legitimate request once a second on a new "
                + "TLS connection each time (as a second aggregator replica, or after a dropped connection), not in the goals.",
            "",
            "| Attack | Attacker ops (/s) | Legit p50 / p99 ms | Legit errors | New conn. errors | Adapter CPU % | RSS MiB before → peak → after | RSS after each round | p99 < 100 ms, no errors | peak < 2× idle | after ≈ before |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for run in attacks {
            let legit = run.legitimate.attack
            let fresh = run.legitimateNewConnections.attack
            let goals = run.goals
            let afters = ([run.rssMiB.after] + run.laterRounds.map(\.rssMiB.after)).map { fmt($0, 1) }.joined(separator: ", ")
            lines.append(
                "| \(run.attack) | \(run.attacker.operations) (\(fmt(run.attacker.perSecond, 0))) | \(fmt(legit.latencyMs.p50, 1)) / \(fmt(legit.latencyMs.p99, 1))"
                    + " | \(legit.errors) of \(legit.requests) | \(fresh.errors) of \(fresh.requests) | \(fmt(run.adapterCPUPercent.attack, 0))"
                    + " | \(fmt(run.rssMiB.before, 1)) → \(fmt(run.rssMiB.peak, 1)) → \(fmt(run.rssMiB.after, 1)) | \(afters)"
                    + " | \(yes(goals.map { $0.legitimateP99Under100ms && $0.legitimateNoErrors }))"
                    + " | \(yes(goals?.rssPeakUnderTwiceIdle)) | \(yes(goals?.rssAfterNearBefore)) |")
        }
        let missed = attacks.filter { !($0.goals?.all ?? false) }
        lines += ["", missed.isEmpty
            ? "Every attack met every goal."
            : "Goals missed: " + missed.map { run in
                let goals = run.goals
                var what: [String] = []
                if !(goals?.legitimateP99Under100ms ?? false) { what.append("p99 \(fmt(run.legitimate.attack.latencyMs.p99, 1)) ms") }
                if !(goals?.legitimateNoErrors ?? false) { what.append("\(run.legitimate.attack.errors) legitimate errors (\(kinds(run.legitimate.attack.errorKinds)))") }
                if !(goals?.rssPeakUnderTwiceIdle ?? false) { what.append("RSS peak \(fmt(run.rssMiB.peak, 1)) MiB ≥ 2× \(fmt(run.rssMiB.before, 1))") }
                if !(goals?.rssAfterNearBefore ?? false) { what.append("RSS after \(fmt(run.rssMiB.after, 1)) MiB vs \(fmt(run.rssMiB.before, 1)) before") }
                return "**\(run.attack)**: " + what.joined(separator: ", ")
            }.joined(separator: "; ") + "."]
        for run in attacks {
            lines += section(run)
        }
        lines += ["", Self.endMarker]
        return lines.joined(separator: "\n") + "\n"
    }

    private func section(_ run: AttackRun) -> [String] {
        let legit = run.legitimate
        func latency(_ summary: LegitimateSummary) -> String {
            "\(fmt(summary.latencyMs.p50, 1)) / \(fmt(summary.latencyMs.p99, 1)) / \(fmt(summary.latencyMs.max, 1))"
        }
        func errors(_ summary: LegitimateSummary) -> String {
            "\(summary.errors) of \(summary.requests)" + (summary.errors > 0 ? " (\(kinds(summary.errorKinds)))" : "")
        }
        var attacker = "\(run.attacker.operations) operations in \(fmt(run.attackSeconds, 1)) s (\(fmt(run.attacker.perSecond, 0))/s): "
            + kinds(run.attacker.outcomes)
        if let peak = run.attacker.peakOpenConnections { attacker += "; at most \(peak) connections held at once" }
        if let lifetimes = run.attacker.closedByAdapterAfterSeconds {
            attacker += "; the adapter closed \(lifetimes.count) after \(fmt(lifetimes.min, 1)) / \(fmt(lifetimes.p50, 1)) / \(fmt(lifetimes.max, 1)) s (min / p50 / max)"
        }
        var lines = [
            "",
            "### \(run.attack)",
            "",
            run.description + ".",
            "",
            "| | baseline | during the attack | after (settle) |",
            "|---|---|---|---|",
            "| legitimate p50 / p99 / max ms | \(latency(legit.baseline)) | \(latency(legit.attack)) | \(latency(legit.settle)) |",
            "| legitimate errors | \(errors(legit.baseline)) | \(errors(legit.attack)) | \(errors(legit.settle)) |",
            "| new-connection probe p50 / p99 / max ms | \(latency(run.legitimateNewConnections.baseline)) | \(latency(run.legitimateNewConnections.attack)) | \(latency(run.legitimateNewConnections.settle)) |",
            "| new-connection probe errors | \(errors(run.legitimateNewConnections.baseline)) | \(errors(run.legitimateNewConnections.attack)) | \(errors(run.legitimateNewConnections.settle)) |",
            "| adapter CPU, % of one core | \(fmt(run.adapterCPUPercent.baseline, 0)) | \(fmt(run.adapterCPUPercent.attack, 0)) | \(fmt(run.adapterCPUPercent.settle, 0)) |",
            "| adapter RSS MiB (before / peak / after) | \(fmt(run.rssMiB.before, 1)) | \(fmt(run.rssMiB.peak, 1)) | \(fmt(run.rssMiB.after, 1)) |",
            "| adapter open descriptors (before / peak / after) | \(fmt(run.fileDescriptors.before, 0)) | \(fmt(run.fileDescriptors.peak, 0)) | \(fmt(run.fileDescriptors.after, 0)) |",
            "",
            "Attacker: \(attacker). TokenReviews / SubjectAccessReviews sent by the adapter during the attack: "
                + "\(run.tokenReviewsDuringAttack) / \(run.subjectAccessReviewsDuringAttack). Driver CPU during the attack: "
                + "\(fmt(run.driverCPUPercentDuringAttack, 0)) %; machine load average (1 min) at its end: \(fmt(run.loadAverageAtAttackEnd, 1)).",
        ]
        for round in run.laterRounds {
            lines += [
                "",
                "Round \(round.round) (same adapter): \(round.operations) attacker operations; legitimate p50 / p99 "
                    + "\(fmt(round.legitimate.latencyMs.p50, 1)) / \(fmt(round.legitimate.latencyMs.p99, 1)) ms, errors \(errors(round.legitimate)); "
                    + "new-connection probe errors \(errors(round.legitimateNewConnections)); adapter CPU \(fmt(round.adapterCPUPercent, 0)) %; "
                    + "RSS \(fmt(round.rssMiB.before, 1)) → \(fmt(round.rssMiB.peak, 1)) → \(fmt(round.rssMiB.after, 1)) MiB.",
            ]
        }
        if let after = run.adapterMetricsAfter {
            let grown = after.increments(since: run.adapterMetricsBefore)
            let before = run.adapterMetricsBefore
            lines += [
                "",
                "Adapter /metrics from before the attack to after the settle: "
                    + (grown.isEmpty ? "no guard counter moved" : kinds(grown.mapValues { Int($0) }).replacingOccurrences(of: "sysdig_adapter_", with: ""))
                    + "; `api_requests_total` series \(before.map { String($0.apiRequestSeries) } ?? "?") → \(after.apiRequestSeries), "
                    + "exposition \(before.map { String($0.metricsBytes) } ?? "?") → \(after.metricsBytes) bytes.",
            ]
        }
        if !run.adapterRunningAfter || (run.adapterExitStatus ?? 0) != 0 {
            lines.append("The adapter \(run.adapterRunningAfter ? "was running after the attack" : "had EXITED by the end of the settle"); exit status after SIGTERM: \(run.adapterExitStatus.map(String.init) ?? "?").")
        }
        return lines
    }

}

private func fmt(_ value: Double?, _ digits: Int) -> String {
    guard let value, value.isFinite else { return "–" }
    return String(format: "%.\(digits)f", value)
}

private func yes(_ value: Bool?) -> String {
    switch value {
    case true?: "yes"
    case false?: "**no**"
    case nil: "–"
    }
}

/// "401 ×5230, 429 ×12", most frequent first.
private func kinds(_ counts: [String: Int]) -> String {
    counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
}
