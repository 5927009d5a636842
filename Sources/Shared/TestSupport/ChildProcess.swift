import Foundation
import Synchronization
import Shared

/// A child process (in practice the `sysdig-adapter` binary, run by the end-to-end
/// tests and the benchmark driver) whose standard error is collected as it arrives:
/// its serving port from the "Serving the metrics APIs" log line, its exit status,
/// and its resident memory and open descriptors from /proc.
public final class ChildProcess: Sendable {
    private struct State {
        var stderr = ""
        var port: Int?
        var portWaiters: [CheckedContinuation<Int?, Never>] = []
        var finished = false
        var exitStatus: Int32?
        var exitWaiters: [CheckedContinuation<Int32, Never>] = []
    }

    private let process: Process
    private let state = Mutex(State())
    private let stderrLimit: Int
    /// When the process was launched.
    public let started: ContinuousClock.Instant

    /// Launches `executable arguments` with standard output discarded.
    ///
    /// - Parameters:
    ///   - environment: added to (and overriding) this process's environment.
    ///   - currentDirectory: the working directory; this process's when nil.
    ///   - stderrLimit: standard error kept, in bytes (the oldest half is dropped when
    ///     exceeded, so a long soak does not grow without bound).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil, stderrLimit: Int = 4 << 20
    ) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        self.stderrLimit = stderrLimit
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
    public var pid: Int32 { process.processIdentifier }

    /// Standard error so far (its last `stderrLimit` bytes at most).
    public var stderr: String { state.withLock { $0.stderr } }

    /// The last part of standard error, for diagnostics.
    public var stderrTail: String { state.withLock { String($0.stderr.suffix(4000)) } }

    /// The exit status, if the process has ended.
    public var exitStatus: Int32? { state.withLock { $0.exitStatus } }

    /// The port in serve's "Serving the metrics APIs" log line (`server.address=HOST:PORT`),
    /// waiting for it; nil if the process ends without logging it.
    public func servingPort() async -> Int? {
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
    public var rssMiB: Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) }
            return kib.map { $0 / 1024 }
        }
        return nil
    }

    /// Open file descriptors (entries of /proc/PID/fd), nil when unreadable.
    public var openFileDescriptors: Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// Sends SIGTERM and waits for the exit status; SIGKILLs after `grace` (then the
    /// status is the signal's, so a hang fails a test instead of blocking it).
    public func terminate(grace: Duration = .seconds(30)) async -> Int32 {
        if process.isRunning { process.terminate() }
        let guardTask = Task { [weak self] in
            try await Task.sleep(for: grace)
            self?.kill()
        }
        defer { guardTask.cancel() }
        return await waitForExit()
    }

    /// SIGKILL (a crash, or cleanup after a failure).
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to end and returns its termination status (the signal
    /// number when a signal ended it).
    public func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status: Int32? = state.withLock { state in
                if let status = state.exitStatus { return status }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    private func received(_ data: Data, closed: Bool) {
        let (waiters, port): ([CheckedContinuation<Int?, Never>], Int?) = state.withLock { state in
            state.stderr += String(decoding: data, as: UTF8.self)
            if state.stderr.utf8.count > stderrLimit {
                state.stderr = String(state.stderr.suffix(stderrLimit / 2))
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
    public static func port(in text: String) -> Int? {
        guard let marker = text.range(of: "server.address=") else { return nil }
        let rest = text[marker.upperBound...].prefix { !$0.isWhitespace }
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)...].prefix { $0.isNumber })
    }
}
