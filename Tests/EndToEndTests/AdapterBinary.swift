import Foundation

/// Locates the built `sysdig-adapter` binary. The test command (`hack/test.sh`)
/// builds it before running the tests.
enum AdapterBinary {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var path: String? {
        let candidates = [".build/debug/sysdig-adapter", ".build/release/sysdig-adapter"]
        return candidates.map { packageRoot.appendingPathComponent($0).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
