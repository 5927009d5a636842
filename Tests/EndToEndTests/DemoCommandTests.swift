import Foundation
import Testing

/// The README's first command: `demo` answers every sample query it prints, with no
/// cluster and no Sysdig account.
@Suite struct DemoCommandTests {
    @Test func everySampleQueryIsAnswered() async throws {
        let binary = try AdapterBinary.require()
        let result = try await runProcessOffThePool(binary, ["demo", "--once", "--secure-port", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        let answers = result.stdout.split(separator: "\n").filter { $0.contains("-> ") }
        #expect(answers.count >= 4, "\(result.stdout)")
        #expect(!answers.contains { $0.contains("-> error") }, "\(result.stdout)")
    }
}
