import ArgumentParser
import Foundation

/// `sysdig-adapter-bench`: benchmarks that need the real binary and in-process test
/// servers (issue 7: reconcile at scale, Sysdig request economy, soak, uncached added latency). Each
/// subcommand prints one JSON object on standard output; progress goes to standard error.
@main
struct AdapterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sysdig-adapter-bench",
        abstract: "Benchmarks that drive a real sysdig-adapter against the in-process test servers.",
        subcommands: [ReconcileCommand.self, EconomyCommand.self, SoakCommand.self, UncachedCommand.self, AttackCommand.self])
}

/// Options every benchmark takes.
struct CommonBenchOptions: ParsableArguments {
    @Option(help: "The sysdig-adapter binary to start (default: next to this executable).")
    var adapter: String?

    /// The binary to run: `--adapter`, else `sysdig-adapter` in this executable's directory.
    func adapterPath() throws -> String {
        let path = adapter ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("sysdig-adapter").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchFailure("no sysdig-adapter at \(path): build it or pass --adapter PATH")
        }
        return path
    }
}

/// A benchmark that could not run to the end.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
