import Foundation

/// Runs every file of the seed corpus (or the given paths) through its target once.
struct CorpusReplay {
    /// `Tests/Fuzz/corpus`, next to this harness in the source tree.
    static let defaultCorpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("corpus")

    var target: FuzzTarget?
    var paths: [String]

    /// Replays and prints a line per target; false when an invariant failed or nothing was found.
    func run() -> Bool {
        var jobs: [(FuzzTarget, [URL])] = []
        if paths.isEmpty {
            for candidate in FuzzTarget.allCases where target == nil || target == candidate {
                jobs.append((candidate, Self.files(in: Self.defaultCorpus.appendingPathComponent(candidate.rawValue))))
            }
        } else if let target {
            jobs.append((target, paths.flatMap { Self.files(in: URL(fileURLWithPath: $0)) }))
        } else {
            FileHandle.standardError.write(Data("SysdigAdapterFuzz: give --target=NAME with input paths\n".utf8))
            return false
        }
        var ok = true
        for (target, files) in jobs {
            if files.isEmpty {
                print("\(target.rawValue): no inputs")
                ok = false
                continue
            }
            var failures = 0
            for file in files {
                guard let data = try? Data(contentsOf: file) else {
                    print("\(target.rawValue): cannot read \(file.path)")
                    failures += 1
                    continue
                }
                do {
                    try target.run(data)
                } catch {
                    print("\(target.rawValue): \(file.lastPathComponent): \(error)")
                    failures += 1
                }
            }
            print("\(target.rawValue): replayed \(files.count) inputs, \(failures) failed")
            ok = ok && failures == 0
        }
        return ok
    }

    /// A file, or the regular files directly inside a directory, sorted.
    static func files(in url: URL) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [url] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { url.appendingPathComponent($0) }
    }
}
