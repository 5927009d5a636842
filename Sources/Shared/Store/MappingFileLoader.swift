import Foundation

/// Reads mapping documents from YAML/JSON files and directories.
public enum MappingFileLoader {
    /// One document read from a file.
    public struct Document: Sendable {
        public let file: String
        /// 1-based index of the document in its file.
        public let index: Int
        /// 1-based line where the document starts.
        public let line: Int
        public let result: Result<MetricMapping, MappingDecodingError>
    }

    /// A document that is another kind of Kubernetes object (an HPA, a Deployment,
    /// a Kustomization...) kept in the same file as mappings; it is left alone.
    public struct SkippedDocument: Sendable, Hashable {
        public let index: Int
        public let line: Int
        /// `HorizontalPodAutoscaler web`, or just the kind when it has no name.
        public let summary: String
    }

    /// The content of one file: its documents, or why it could not be read at all.
    public struct FileContent: Sendable {
        public let file: String
        public let documents: Result<[Document], MappingFileError>
        /// Documents of other kinds, in file order.
        public var skipped: [SkippedDocument] = []

        /// True when the file parsed and every document in it is a valid mapping.
        public var isFullyValid: Bool {
            guard case .success(let documents) = documents else { return false }
            return documents.allSatisfy { if case .success = $0.result { true } else { false } }
        }
    }

    /// Expands paths: files are taken as given, directories contribute their
    /// `*.yaml`, `*.yml` and `*.json` files (not recursive), sorted by name.
    public static func expand(_ paths: [String]) throws(MappingFileError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw MappingFileError(file: path, message: "no such file or directory")
            }
            if isDirectory.boolValue {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                    throw MappingFileError(file: path, message: "directory is not readable")
                }
                files += names.filter { [".yaml", ".yml", ".json"].contains(where: $0.hasSuffix) && !$0.hasPrefix(".") }
                    .sorted().map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// Reads and decodes one file.
    public static func read(file: String, defaultNamespace: String? = "default") -> FileContent {
        guard let data = FileManager.default.contents(atPath: file) else {
            return FileContent(file: file, documents: .failure(MappingFileError(file: file, message: "file is not readable")))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return FileContent(file: file, documents: .failure(MappingFileError(file: file, message: "file is not UTF-8 text")))
        }
        return parse(text: text, file: file, defaultNamespace: defaultNamespace)
    }

    /// Decodes YAML (or JSON, which is YAML) text holding one or more mapping documents.
    public static func parse(text: String, file: String, defaultNamespace: String? = "default") -> FileContent {
        let parsed: [(value: JSONValue, line: Int)]
        do {
            parsed = try JSONValue.parseYAMLDocuments(text)
        } catch {
            return FileContent(file: file, documents: .failure(MappingFileError(file: file, line: error.line, message: error.message)))
        }
        var documents: [Document] = []
        var skipped: [SkippedDocument] = []
        for (offset, item) in parsed.enumerated() {
            for value in expandList(item.value) {
                if let summary = foreignObject(value) {
                    skipped.append(SkippedDocument(index: offset + 1, line: item.line, summary: summary))
                    continue
                }
                documents.append(Document(
                    file: file, index: offset + 1, line: item.line,
                    result: MappingDecoder.decode(value, defaultNamespace: defaultNamespace)))
            }
        }
        var content = FileContent(file: file, documents: .success(documents))
        content.skipped = skipped
        return content
    }

    /// A summary of `value` when it is clearly some other Kubernetes object: it names a
    /// kind that is not a mapping kind, in an API group other than ours. Anything that
    /// claims to be ours, or names no kind at all, is decoded (and reported) as a mapping,
    /// so a misspelled mapping is an error, never silently skipped.
    static func foreignObject(_ value: JSONValue) -> String? {
        guard let kind = value["kind"]?.stringValue, !kind.isEmpty,
            MappingKind(rawValue: kind) == nil
        else { return nil }
        let apiVersion = value["apiVersion"]?.stringValue ?? ""
        let group = apiVersion.split(separator: "/").dropLast().joined(separator: "/")
        if group.lowercased() == MappingKind.group { return nil }
        if kind.lowercased().contains("sysdigmetricmapping") { return nil }
        guard let name = value["metadata"]?["name"]?.stringValue, !name.isEmpty else { return kind }
        return "\(kind) \(name)"
    }

    /// `kind: List` documents (as `kubectl get -o yaml` writes) hold their objects in `items`.
    private static func expandList(_ value: JSONValue) -> [JSONValue] {
        if value["kind"]?.stringValue?.hasSuffix("List") == true, let items = value["items"]?.arrayValue {
            return items
        }
        return [value]
    }
}

/// A mapping file that could not be read or parsed at all.
public struct MappingFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `mappings/web.yaml:12: mapping values are not allowed in this context`.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
