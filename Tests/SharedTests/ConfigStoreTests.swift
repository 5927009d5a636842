import Foundation
import Logging
import Testing

@_spi(Testing) @testable import Shared

private func document(kind: MappingKind = .namespaced, name: String, namespace: String? = "shop", alias: String, created: String? = nil, window: String = "60s") -> String {
    var text = "apiVersion: metrics.sysdig.com/v1alpha1\nkind: \(kind.rawValue)\nmetadata:\n  name: \(name)\n"
    if let namespace { text += "  namespace: \(namespace)\n" }
    if let created { text += "  creationTimestamp: \"\(created)\"\n" }
    text += "spec:\n  metricName: \(alias)\n  sysdig: {metric: net.http.request.count}\n  objects: [{resource: pods}]\n  window: \(window)\n"
    return text
}

@Suite struct ConfigStoreTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func source(_ store: ConfigStore) -> FileMappingSource {
        FileMappingSource(paths: [directory.path], store: store, logger: Logger(label: "test"))
    }

    @Test func namespacedMappingsWinInTheirNamespaceOnly() throws {
        try write("a.yaml", document(kind: .cluster, name: "default-rps", namespace: nil, alias: "rps")
                  + "---\n" + document(name: "shop-rps", alias: "rps"))
        let store = ConfigStore()
        try source(store).reload()
        let snapshot = store.snapshot
        #expect(snapshot.resolve(alias: "rps", namespace: "shop")?.key.name == "shop-rps")
        #expect(snapshot.resolve(alias: "rps", namespace: "other")?.key.name == "default-rps")
        #expect(snapshot.resolve(alias: "rps", namespace: nil)?.key.name == "default-rps")
        #expect(snapshot.resolve(alias: "nope", namespace: "shop") == nil)
    }

    @Test func aMappingInOneNamespaceNeverAnswersAnother() throws {
        try write("a.yaml", document(name: "team-a", namespace: "a", alias: "rps"))
        let store = ConfigStore()
        try source(store).reload()
        #expect(store.snapshot.resolve(alias: "rps", namespace: "a") != nil)
        #expect(store.snapshot.resolve(alias: "rps", namespace: "b") == nil)
        #expect(store.snapshot.resolve(alias: "rps", namespace: nil) == nil)
    }

    @Test func conflictsAreResolvedByAgeThenName() throws {
        try write("a.yaml", document(name: "zeta", alias: "rps", created: "2024-01-01T00:00:00Z")
                  + "---\n" + document(name: "alpha", alias: "rps", created: "2024-06-01T00:00:00Z")
                  + "---\n" + document(name: "beta", alias: "rps", created: "2024-06-01T00:00:00Z"))
        let store = ConfigStore()
        try source(store).reload()
        let snapshot = store.snapshot
        let winner = MappingKey(kind: .namespaced, namespace: "shop", name: "zeta")
        #expect(snapshot.resolve(alias: "rps", namespace: "shop")?.key == winner)
        #expect(snapshot.entries[MappingKey(kind: .namespaced, namespace: "shop", name: "alpha")]?.state == .conflicting(winner: winner))
        #expect(snapshot.entries[MappingKey(kind: .namespaced, namespace: "shop", name: "beta")]?.state == .conflicting(winner: winner))

        // Same timestamps: the name decides, whatever the file order.
        try write("a.yaml", document(name: "beta", alias: "rps") + "---\n" + document(name: "alpha", alias: "rps"))
        try source(store).reload()
        #expect(store.snapshot.resolve(alias: "rps", namespace: "shop")?.key.name == "alpha")
    }

    @Test func aFileTurningBadKeepsItsLastGoodContent() throws {
        try write("a.yaml", document(name: "web", alias: "rps"))
        let store = ConfigStore()
        let loader = source(store)
        try loader.reload()
        #expect(store.snapshot.resolve(alias: "rps", namespace: "shop") != nil)

        try write("a.yaml", document(name: "web", alias: "rps", window: "\"60\""))
        let afterBad = try loader.reload()
        #expect(afterBad != nil)
        #expect(store.snapshot.resolve(alias: "rps", namespace: "shop")?.spec.window == KubeDuration(seconds: 60))

        try write("a.yaml", "this: is: not: yaml: [")
        try loader.reload()
        #expect(store.snapshot.resolve(alias: "rps", namespace: "shop") != nil)

        try write("a.yaml", document(name: "web", alias: "rps2"))
        try loader.reload()
        #expect(store.snapshot.resolve(alias: "rps", namespace: "shop") == nil)
        #expect(store.snapshot.resolve(alias: "rps2", namespace: "shop") != nil)
    }

    @Test func invalidDocumentsOfANewFileAreReportedAndValidOnesServed() throws {
        try write("a.yaml", document(name: "good", alias: "rps") + "---\n" + document(name: "bad", alias: "x", window: "5s"))
        let store = ConfigStore()
        try source(store).reload()
        let snapshot = store.snapshot
        #expect(snapshot.resolve(alias: "rps", namespace: "shop") != nil)
        guard case .invalid(let problems) = snapshot.entries[MappingKey(kind: .namespaced, namespace: "shop", name: "bad")]?.state else {
            Issue.record("bad mapping not reported")
            return
        }
        #expect(problems.map(\.description) == ["spec.window: 5s must be a multiple of 10s between 10s and 1h"])
    }

    @Test func unchangedFilesDoNotRepublishAndRemovedFilesDrop() async throws {
        try write("a.yaml", document(name: "a", alias: "a"))
        try write("b.yaml", document(name: "b", alias: "b"))
        let store = ConfigStore()
        let loader = source(store)
        try loader.reload()
        #expect(store.snapshot.version == 1)
        #expect(try loader.reload() == nil)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("b.yaml"))
        try loader.reload()
        await store.waitForVersion(2)
        #expect(store.snapshot.resolve(alias: "b", namespace: "shop") == nil)
        #expect(store.snapshot.resolve(alias: "a", namespace: "shop") != nil)
    }

    @Test func missingPathIsAClearError() {
        let store = ConfigStore()
        let loader = FileMappingSource(paths: ["/nonexistent/mappings"], store: store, logger: Logger(label: "test"))
        #expect(throws: MappingFileError(file: "/nonexistent/mappings", message: "no such file or directory")) {
            try loader.reload()
        }
    }
}
