import Foundation
import Synchronization

/// A child process whose standard error is collected as it arrives.
final class ChildProcess: Sendable {
    private struct State {
        var stderr = ""
        var portWaiters: [CheckedContinuation<Int?, Never>] = []
        var finished = false
        var exitStatus: Int32?
        var exitWaiters: [CheckedContinuation<Int32, Never>] = []
    }

    private let process: Process
    private let state = Mutex(State())

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = AdapterBinary.packageRoot
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
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

    /// Everything written to standard error so far.
    var stderr: String { state.withLock { $0.stderr } }

    /// The port in serve's "Serving the metrics APIs" log line (`server.address=HOST:PORT`),
    /// waiting for it; nil if the process ends without logging it.
    func servingPort() async -> Int? {
        await withCheckedContinuation { continuation in
            let immediate: Int?? = state.withLock { state in
                if let port = Self.port(in: state.stderr) { return .some(port) }
                if state.finished { return .some(nil) }
                state.portWaiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Sends SIGTERM and waits for the exit status; SIGKILLs after `grace` (then the
    /// status is the signal's, so a hang fails the test instead of blocking it).
    func terminate(grace: Duration = .seconds(30)) async -> Int32 {
        process.terminate()
        let guardTask = Task { [weak self] in
            try await Task.sleep(for: grace)
            self?.kill()
        }
        defer { guardTask.cancel() }
        return await waitForExit()
    }

    /// SIGKILL, for cleanup after a failure.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to end and returns its termination status (the signal
    /// number when a signal ended it).
    func waitForExit() async -> Int32 {
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
            if closed { state.finished = true }
            let port = Self.port(in: state.stderr)
            guard port != nil || state.finished else { return ([], nil) }
            defer { state.portWaiters = [] }
            return (state.portWaiters, port)
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
            return (state.exitWaiters, state.portWaiters, Self.port(in: state.stderr))
        }
        for waiter in exitWaiters { waiter.resume(returning: status) }
        for waiter in portWaiters { waiter.resume(returning: port) }
    }

    static func port(in text: String) -> Int? {
        guard let marker = text.range(of: "server.address=") else { return nil }
        let rest = text[marker.upperBound...].prefix { !$0.isWhitespace }
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)...].prefix { $0.isNumber })
    }
}
