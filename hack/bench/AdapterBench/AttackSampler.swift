import Foundation
import Synchronization

/// The adapter's CPU time (`/proc/PID/stat` utime + stime), resident memory
/// (`/proc/PID/status` VmRSS) and open descriptors, sampled while an attack runs.
final class AttackSampler: Sendable {
    /// One reading.
    struct Reading: Sendable {
        var at: ContinuousClock.Instant
        /// utime + stime, seconds.
        var cpuSeconds: Double?
        var rssMiB: Double?
        var fileDescriptors: Int?
    }

    private let pid: Int32
    private let readings = Mutex<[Reading]>([])

    init(pid: Int32) {
        self.pid = pid
    }

    /// Clock ticks per second of /proc/PID/stat.
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Reads the process now.
    func read() -> Reading {
        Reading(at: .now, cpuSeconds: Self.cpuSeconds(pid), rssMiB: Self.rssMiB(pid), fileDescriptors: Self.descriptors(pid))
    }

    /// Reads and keeps the reading.
    @discardableResult
    func sample() -> Reading {
        let reading = read()
        readings.withLock { $0.append(reading) }
        return reading
    }

    /// Samples every `interval` until cancelled.
    func run(every interval: Duration) async {
        while !Task.isCancelled {
            sample()
            try? await Task.sleep(for: interval)
        }
    }

    /// The readings taken between `start` and `end`.
    func readings(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> [Reading] {
        readings.withLock { $0.filter { $0.at >= start && $0.at <= end } }
    }

    /// utime + stime of `pid` in seconds (fields 14 and 15, counted after the parenthesised command).
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) ": field 3 is the state; utime is field 14, stime field 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }

    /// VmRSS of `pid` in MiB.
    static func rssMiB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
                .flatMap { Double($0) }.map { $0 / 1024 }
        }
        return nil
    }

    /// Entries of /proc/PID/fd.
    static func descriptors(_ pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// The machine's 1-minute load average (/proc/loadavg): other work sharing the cores.
    static func loadAverage() -> Double? {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) }
    }

    /// CPU time of this process (the driver: attackers, legitimate client and test servers), seconds.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
