import Foundation
import Shared
import Testing

/// The CRD manifests in `crds/` against the Swift model: `hack/check_crds.py` does the
/// schema side (kubernetes-validate, jsonschema, CEL equivalents); this suite runs it and
/// checks the Swift side of the negative examples.
@Suite struct CRDSchemaTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("../..").standardized

    static var invalidExamples: [URL] {
        let folder = root.appendingPathComponent("hack/testdata/crd-invalid")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test func schemaAgreesWithModelAndExamples() async throws {
        // On a Dispatch thread: waiting for the child must not hold a cooperative-pool
        // thread (two on a 2-core machine) that other tests' in-process servers need.
        let (status, text) = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { () throws -> (Int32, String) in
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = ["python3", Self.root.appendingPathComponent("hack/check_crds.py").path]
                    let output = Pipe()
                    process.standardOutput = output
                    process.standardError = output
                    try process.run()
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
                })
            }
        }
        #expect(status == 0, "hack/check_crds.py failed:\n\(text)")
    }

    @Test func thereAreNegativeExamples() {
        #expect(Self.invalidExamples.count >= 8)
    }

    @Test(arguments: CRDSchemaTests.invalidExamples)
    func swiftRejectsWhatTheSchemaRejects(_ file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        let documents = try JSONValue.parseYAMLDocuments(text)
        #expect(documents.count == 1)
        for document in documents {
            guard case .failure = MappingDecoder.decode(document.value) else {
                Issue.record("\(file.lastPathComponent) decodes in Swift but the CRD schema rejects it")
                continue
            }
        }
    }
}
