import Foundation
import Synchronization

/// The built `sysdig-adapter` running as a child process. The port is learned
/// from its own log line ("Serving the metrics APIs ... server.address=HOST:PORT"),
/// so tests wait on an event, not on a timer.
final class AdapterProcess: Sendable {
    /// Log lines seen so far.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    let process: Process
    private let lines = Lines()
    private let portStream: AsyncStream<Int>

    init(arguments: [String], environment: [String: String] = [:]) throws {
        let binary = try AdapterBinary.require()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = AdapterBinary.packageRoot
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        env["KUBERNETES_SERVICE_HOST"] = nil
        process.environment = env
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        portStream = stream
        self.process = process
        let collected = lines
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
                return
            }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                collected.lines.withLock { $0.append(String(line)) }
                if line.contains("Serving the metrics APIs"),
                    let range = line.range(of: #"server.address=[^ ]*:(\d+)"#, options: .regularExpression),
                    let port = Int(line[range].split(separator: ":").last ?? "")
                {
                    continuation.yield(port)
                }
            }
        }
        try process.run()
    }

    /// Waits for the serving port (nil when the process exits first).
    func port() async -> Int? {
        for await port in portStream { return port }
        return nil
    }

    var log: String { lines.lines.withLock { $0.joined(separator: "\n") } }

    /// SIGTERM, then the exit status.
    func terminate() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

extension AdapterBinary {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "build sysdig-adapter first (hack/test.sh does)" }
    }

    static func require() throws -> String {
        guard let path else { throw Missing() }
        return path
    }
}
