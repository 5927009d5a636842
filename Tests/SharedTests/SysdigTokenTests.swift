import Foundation
import Logging
import Testing

@testable import Shared
@testable import SysdigSimulator

@Suite("Sysdig token providers")
struct SysdigTokenTests {
    /// A fresh directory per test, removed afterwards.
    func withTemporaryDirectory(_ body: (URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sysdig-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }

    @Test func staticTokenIsTrimmedAndRefusedWhenBlank() async throws {
        #expect(try await StaticSysdigToken("  abc \n").token() == "abc")
        let error = await #expect(throws: SysdigError.self) { try await StaticSysdigToken(" \n").token() }
        #expect(error?.code == .configuration)
    }

    @Test func fileTokenFollowsRotation() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("token")
            try Data("  first-token\n".utf8).write(to: file, options: .atomic)
            let provider = FileSysdigToken(path: file.path)
            #expect(try await provider.token() == "first-token")
            #expect(try await provider.token() == "first-token")

            try Data("second-token-rotated\n".utf8).write(to: file, options: .atomic)
            #expect(try await provider.token() == "second-token-rotated")
        }
    }

    @Test func fileTokenFollowsASwappedSymlinkLikeKubernetesSecrets() async throws {
        try await withTemporaryDirectory { directory in
            let manager = FileManager.default
            for (name, token) in [("v1", "token-one"), ("v2", "token-two")] {
                try manager.createDirectory(
                    at: directory.appendingPathComponent(name), withIntermediateDirectories: true)
                try Data(token.utf8).write(to: directory.appendingPathComponent("\(name)/token"))
            }
            let data = directory.appendingPathComponent("..data")
            try manager.createSymbolicLink(atPath: data.path, withDestinationPath: "v1")
            try manager.createSymbolicLink(
                atPath: directory.appendingPathComponent("token").path, withDestinationPath: "..data/token")
            let provider = FileSysdigToken(path: directory.appendingPathComponent("token").path)
            #expect(try await provider.token() == "token-one")

            try manager.removeItem(at: data)
            try manager.createSymbolicLink(atPath: data.path, withDestinationPath: "v2")
            #expect(try await provider.token() == "token-two")
        }
    }

    @Test func emptyOrMissingFileNamesThePathNotTheContents() async throws {
        try await withTemporaryDirectory { directory in
            let empty = directory.appendingPathComponent("empty-token")
            try Data(" \n\t".utf8).write(to: empty)
            let emptyError = await #expect(throws: SysdigError.self) {
                try await FileSysdigToken(path: empty.path).token()
            }
            #expect(emptyError?.code == .configuration)
            #expect(emptyError?.message.contains(empty.path) == true)
            #expect(emptyError?.message.contains("empty") == true)

            let missing = directory.appendingPathComponent("missing-token").path
            let missingError = await #expect(throws: SysdigError.self) {
                try await FileSysdigToken(path: missing).token()
            }
            #expect(missingError?.code == .configuration)
            #expect(missingError?.message.contains(missing) == true)
        }
    }

    @Test func clientReportsAnUnusableTokenFileWithoutCallingSysdig() async throws {
        let simulator = SysdigSimulator(token: "t", world: SysdigSimulator.demo())
        try await simulator.withRunning { port in
            let path = "/nonexistent/sysdig/token"
            let client = SysdigClient(
                baseURL: "http://127.0.0.1:\(port)", token: FileSysdigToken(path: path),
                httpClient: .shared, logger: Logger(label: "test"))
            let error = await #expect(throws: SysdigError.self) {
                try await client.metricDescriptors(timeout: .seconds(5))
            }
            #expect(error?.code == .configuration)
            #expect(error?.message.contains(path) == true)
            #expect(simulator.requests.isEmpty)
        }
    }

    @Test(arguments: [
        ("120", Duration.seconds(120)),
        ("0", Duration.seconds(0)),
        ("Tue, 14 Nov 2023 22:13:50 GMT", Duration.seconds(30)),
        ("Tue, 14 Nov 2023 22:13:00 GMT", Duration.seconds(0)),
    ])
    func retryAfterParsesSecondsAndDates(header: String, expected: Duration) {
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(SysdigClient.parseRetryAfter(header, now: now) == expected)
    }

    @Test func retryAfterRejectsGarbage() {
        #expect(SysdigClient.parseRetryAfter("soon") == nil)
        #expect(SysdigClient.parseRetryAfter("-5") == nil)
    }
}
