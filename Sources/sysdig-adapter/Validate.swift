import ArgumentParser
import Shared

/// `sysdig-adapter validate PATH...`: offline lint for CI pipelines.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check mapping files offline; exit 1 when any object is invalid.")

    @Argument(help: "Mapping files or directories (*.yaml, *.yml, *.json).")
    var paths: [String]

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    func run() throws {
        let report = ValidationReport.make(paths: paths)
        for line in report.lines where !(quiet && line.ok) {
            print(line.skipped ? "skip  \(line.text)" : line.ok ? "ok    \(line.text)" : "error \(line.text)")
        }
        if report.isValid {
            let skipped = report.skippedCount > 0 ? ", \(report.skippedCount) other document(s) skipped" : ""
            if !quiet { print("\(report.validCount) mapping(s) valid\(skipped)") }
        } else {
            printError("\(report.invalidCount) problem(s) found")
            throw ExitCode(1)
        }
    }
}
