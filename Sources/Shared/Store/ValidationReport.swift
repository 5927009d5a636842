/// The offline lint behind `sysdig-adapter validate`: every problem in every file,
/// with file, document, object and field, plus conflicts across files.
public struct ValidationReport: Sendable {
    public struct Line: Sendable, Hashable {
        public var ok: Bool
        public var text: String
        /// A document of another kind, left alone (`ok` is true).
        public var skipped = false
    }

    public private(set) var lines: [Line] = []
    public private(set) var invalidCount = 0
    public private(set) var validCount = 0
    /// Documents of other kinds (HPAs, Deployments...) that were left alone.
    public private(set) var skippedCount = 0

    /// Lints the given files and directories.
    public static func make(paths: [String]) -> ValidationReport {
        var report = ValidationReport()
        let files: [String]
        do {
            files = try MappingFileLoader.expand(paths)
        } catch {
            report.fail("\(error)")
            return report
        }
        if files.isEmpty { report.fail("no mapping files found in \(paths.joined(separator: ", "))") }
        var mappings: [(mapping: MetricMapping, origin: String?)] = []
        for file in files {
            let content = MappingFileLoader.read(file: file)
            switch content.documents {
            case .failure(let error):
                report.fail("\(error)")
            case .success(let documents):
                for skipped in content.skipped {
                    report.skippedCount += 1
                    report.lines.append(Line(
                        ok: true, text: "\(file):\(skipped.line): \(skipped.summary): not a mapping, skipped", skipped: true))
                }
                if documents.isEmpty && content.skipped.isEmpty { report.fail("\(file): no mapping documents") }
                for document in documents {
                    switch document.result {
                    case .success(let mapping):
                        mappings.append((mapping, file))
                    case .failure(let error):
                        let subject = error.key.map { "\($0)" } ?? "document \(document.index)"
                        for problem in error.problems {
                            report.fail("\(file):\(document.line): \(subject): \(problem)")
                        }
                    }
                }
            }
        }
        let snapshot = ConfigSnapshot.build(version: 1, mappings: mappings)
        for entry in snapshot.sortedEntries {
            let origin = entry.origin ?? "-"
            switch entry.state {
            case .ready(let compiled):
                report.validCount += 1
                report.lines.append(Line(ok: true, text: "\(origin): \(entry.key): ok (alias \(compiled.alias))"))
            case .conflicting(let winner):
                report.fail("\(origin): \(entry.key): alias \(entry.mapping?.spec.metricName ?? "?") is already served by \(winner), which is older or sorts first")
            case .invalid(let problems):
                for problem in problems { report.fail("\(origin): \(entry.key): \(problem)") }
            }
        }
        return report
    }

    private mutating func fail(_ text: String) {
        invalidCount += 1
        lines.append(Line(ok: false, text: text))
    }

    /// True when nothing is wrong.
    public var isValid: Bool { invalidCount == 0 }
}
