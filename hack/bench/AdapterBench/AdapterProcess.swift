import Foundation
import Synchronization

/// The real `sysdig-adapter` binary as a child process: its serving port (read from
/// the "Serving the metrics APIs" log line), its resident memory and open file
/// descriptors (from /proc), and whether it is still running.
final class AdapterProcess: Sendable {
    private struct State {
        /// The tail of standard error (bounded: a soak logs for minutes).
        var stderr = ""
        var port: Int?
        var portWaiters: [CheckedContinuation<Int?, Never>] = []
        var finished = false
        var exitStatus: Int32?
        var exitWaiters: [CheckedContinuation<Int32, Never>] = []
    }

    private static let stderrLimit = 256 * 1024
    private let process: Process
    private let state = Mutex(State())
    /// When `start` launched the process.
    let started: ContinuousClock.Instant

    /// Starts `executable serve ARGS --bind-address 127.0.0.1 --secure-port 0`.
    init(_ executable: String, _ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + ["--bind-address", "127.0.0.1", "--secure-port", "0"]
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        started = .now
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.received(data, closed: data.isEmpty)
        }
        process.terminationHandler = { [weak self] process in
            self?.exited(process.terminationStatus)
        }
        try process.run()
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }

    /// The last part of standard error, for diagnostics.
    var stderrTail: String { state.withLock { String($0.stderr.suffix(4000)) } }

    /// The exit status, if the process has ended.
    var exitStatus: Int32? { state.withLock { $0.exitStatus } }

    /// The serving port, once logged; nil if the process ended first.
    func servingPort() async -> Int? {
        await withCheckedContinuation { continuation in
            let immediate: Int?? = state.withLock { state in
                if let port = state.port { return .some(port) }
                if state.finished { return .some(nil) }
                state.portWaiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// VmRSS in MiB, nil when /proc has no such process.
    var rssMiB: Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) }
            return kib.map { $0 / 1024 }
        }
        return nil
    }

    /// Open file descriptors (entries of /proc/PID/fd), nil when unreadable.
    var openFileDescriptors: Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// SIGTERM, then the exit status; SIGKILL after `grace`.
    func terminate(grace: Duration = .seconds(30)) async -> Int32 {
        if process.isRunning { process.terminate() }
        let guardTask = Task { [weak self] in
            try await Task.sleep(for: grace)
            self?.kill()
        }
        defer { guardTask.cancel() }
        return await withCheckedContinuation { continuation in
            let status: Int32? = state.withLock { state in
                if let status = state.exitStatus { return status }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// SIGKILL, for cleanup after a failure.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    private func received(_ data: Data, closed: Bool) {
        let (waiters, port): ([CheckedContinuation<Int?, Never>], Int?) = state.withLock { state in
            state.stderr += String(decoding: data, as: UTF8.self)
            if state.stderr.utf8.count > Self.stderrLimit {
                state.stderr = String(state.stderr.suffix(Self.stderrLimit / 2))
            }
            if closed { state.finished = true }
            if state.port == nil { state.port = Self.port(in: state.stderr) }
            guard state.port != nil || state.finished else { return ([], nil) }
            defer { state.portWaiters = [] }
            return (state.portWaiters, state.port)
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    private func exited(_ status: Int32) {
        let (exitWaiters, portWaiters, port) = state.withLock { state in
            state.exitStatus = status
            state.finished = true
            defer {
                state.exitWaiters = []
                state.portWaiters = []
            }
            return (state.exitWaiters, state.portWaiters, state.port)
        }
        for waiter in exitWaiters { waiter.resume(returning: status) }
        for waiter in portWaiters { waiter.resume(returning: port) }
    }

    /// The port in `server.address=HOST:PORT`.
    static func port(in text: String) -> Int? {
        guard let marker = text.range(of: "server.address=") else { return nil }
        let rest = text[marker.upperBound...].prefix { !$0.isWhitespace }
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)...].prefix { $0.isNumber })
    }
}
