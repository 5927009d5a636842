import Foundation
import Synchronization
import Logging
import ServiceLifecycle

/// Files mode: loads mappings from YAML files and directories into a `ConfigStore`
/// and reloads them when they change. A file that turns invalid keeps serving its
/// last good content, and the problem is logged.
public final class FileMappingSource: Service, Sendable {
    private typealias Invalid = (key: MappingKey, problems: [FieldProblem], origin: String?)

    private struct FileState: Sendable {
        var fingerprint: FileIdentity?
        /// The content of the last version in which every document was valid.
        var lastGood: [MetricMapping]?
        /// What the file currently contributes to the configuration.
        var valid: [MetricMapping] = []
        var invalid: [MappingKey: [FieldProblem]] = [:]
    }

    private let paths: [String]
    private let store: ConfigStore
    private let logger: Logger
    private let pollInterval: Duration
    private let files = Mutex<[String: FileState]>([:])

    public init(paths: [String], store: ConfigStore, pollInterval: Duration = .seconds(2), logger: Logger) {
        self.paths = paths
        self.store = store
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Loads once, then polls for changes until shutdown.
    public func run() async throws {
        _ = try reload()
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: self.pollInterval)
                do {
                    try self.reload()
                } catch {
                    self.logger.error(
                        "Mapping paths are not readable; keeping the current configuration",
                        metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Re-reads every file whose content changed and publishes a new snapshot when
    /// anything changed. Returns the published snapshot, or nil when nothing changed.
    @discardableResult
    public func reload() throws(MappingFileError) -> ConfigSnapshot? {
        let fileList = try MappingFileLoader.expand(paths)
        var changed = false
        var contents: [String: MappingFileLoader.FileContent] = [:]
        let previous = files.withLock { $0 }
        for file in fileList {
            let fingerprint = Self.fingerprint(of: file)
            if previous[file]?.fingerprint == fingerprint, store.isLoaded { continue }
            changed = true
            contents[file] = MappingFileLoader.read(file: file)
        }
        if Set(previous.keys) != Set(fileList) { changed = true }
        guard changed || !store.isLoaded else { return nil }
        return publish(fileList: fileList, contents: contents, previous: previous)
    }

    private func publish(
        fileList: [String], contents: [String: MappingFileLoader.FileContent], previous: [String: FileState]
    ) -> ConfigSnapshot {
        var next: [String: FileState] = [:]
        for file in fileList {
            var state = previous[file] ?? FileState(fingerprint: nil, lastGood: nil)
            if let content = contents[file] {
                state.fingerprint = Self.fingerprint(of: file)
                let decoded = Self.split(content)
                if content.isFullyValid {
                    state.lastGood = decoded.valid
                    (state.valid, state.invalid) = (decoded.valid, [:])
                } else {
                    logProblems(content)
                    if let lastGood = state.lastGood {
                        logger.warning("Mapping file is invalid; keeping its last good content", metadata: ["file": "\(file)"])
                        (state.valid, state.invalid) = (lastGood, [:])
                    } else {
                        state.valid = decoded.valid
                        state.invalid = Dictionary(decoded.invalid.map { ($0.key, $0.problems) }, uniquingKeysWith: { $1 })
                    }
                }
            }
            next[file] = state
        }
        files.withLock { $0 = next }
        var mappings: [(mapping: MetricMapping, origin: String?)] = []
        var invalid: [Invalid] = []
        for file in fileList {
            guard let state = next[file] else { continue }
            mappings += state.valid.map { ($0, file) }
            invalid += state.invalid.sorted { $0.key < $1.key }.map { ($0.key, $0.value, file) }
        }
        let snapshot = ConfigSnapshot.build(version: store.nextVersion, mappings: mappings, invalid: invalid)
        for entry in snapshot.sortedEntries {
            if case .conflicting = entry.state {
                logger.warning("Mapping conflicts with another", metadata: ["mapping": "\(entry.key)", "state": "\(entry.state.summary)"])
            }
        }
        store.publish(snapshot)
        logger.info("Configuration loaded", metadata: [
            "config.version": "\(snapshot.version)", "mappings.ready": "\(snapshot.readyMappings.count)",
            "mappings.total": "\(snapshot.entries.count)",
        ])
        return snapshot
    }

    private static func split(_ content: MappingFileLoader.FileContent)
        -> (valid: [MetricMapping], invalid: [Invalid])
    {
        guard case .success(let documents) = content.documents else { return ([], []) }
        var valid: [MetricMapping] = []
        var invalid: [Invalid] = []
        for document in documents {
            switch document.result {
            case .success(let mapping): valid.append(mapping)
            case .failure(let error):
                if let key = error.key { invalid.append((key, error.problems, content.file)) }
            }
        }
        return (valid, invalid)
    }

    private func logProblems(_ content: MappingFileLoader.FileContent) {
        switch content.documents {
        case .failure(let error):
            logger.error("Mapping file cannot be parsed", metadata: ["file": "\(content.file)", "error": "\(error)"])
        case .success(let documents):
            for skipped in content.skipped {
                logger.debug("Skipped a document that is not a mapping", metadata: [
                    "file": "\(content.file)", "document": "\(skipped.index)", "object": "\(skipped.summary)",
                ])
            }
            for document in documents {
                if case .failure(let error) = document.result {
                    logger.error("Mapping is invalid", metadata: [
                        "file": "\(content.file)", "document": "\(document.index)", "error": "\(error)",
                    ])
                }
            }
        }
    }

    /// Changes when Kubernetes swaps a ConfigMap's symlinked directory or an editor rewrites the file.
    static func fingerprint(of file: String) -> FileIdentity? {
        FileIdentity.of(path: file)
    }
}
