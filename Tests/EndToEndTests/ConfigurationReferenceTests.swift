import Foundation
import Testing

/// The README's configuration reference is generated from the CLI's `--help`;
/// this fails when a flag is added or renamed without regenerating it
/// (`hack/gen-config-reference.sh`).
@Suite struct ConfigurationReferenceTests {
    @Test(arguments: ["serve", "demo", "validate", "explain"])
    func everyFlagIsDocumented(command: String) throws {
        let binary = try AdapterBinary.require()
        let help = try runProcess(binary, [command, "--help"], environment: ["COLUMNS": "100"])
        let readme = try String(contentsOf: AdapterBinary.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let flags = Set(help.stdout.matches(of: /--[a-z][a-z0-9-]+/).map { String($0.output) })
        #expect(!flags.isEmpty)
        let missing = flags.filter { !readme.contains($0) }.sorted()
        #expect(missing.isEmpty, "run hack/gen-config-reference.sh; README lacks \(missing)")
        #expect(readme.contains("USAGE: sysdig-adapter \(command)"))
    }
}
