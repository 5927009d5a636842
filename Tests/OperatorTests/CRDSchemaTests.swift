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

    @Test func schemaAgreesWithModelAndExamples() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("hack/check_crds.py").path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "hack/check_crds.py failed:\n\(text)")
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
