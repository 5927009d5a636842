import Foundation

#if FUZZING
import CFuzzerDriver
#endif

/// Entry point of the fuzz harness (see `hack/fuzz.sh`).
///
/// Built normally it replays the committed seed corpus (`Tests/Fuzz/corpus/<target>/`),
/// or the files and directories given, through the targets' invariants and exits 1 on a
/// violation. Built with `-sanitize=fuzzer,address -DFUZZING` it hands every argument but
/// `--target=NAME` to libFuzzer, which then runs that target.
@main
enum FuzzMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let targetName = arguments.first { $0.hasPrefix("--target=") }.map { String($0.dropFirst("--target=".count)) }
        let rest = arguments.filter { !$0.hasPrefix("--target=") }
        var target: FuzzTarget?
        if let targetName {
            guard let named = FuzzTarget(rawValue: targetName) else {
                fail("unknown target \(targetName); targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            target = named
        }
        #if FUZZING
        guard let target else { fail("--target=NAME is required; targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))") }
        exit(runLibFuzzer(target: target, arguments: [CommandLine.arguments[0]] + rest))
        #else
        exit(CorpusReplay(target: target, paths: rest).run() ? 0 : 1)
        #endif
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("SysdigAdapterFuzz: \(message)\n".utf8))
        exit(2)
    }
}

#if FUZZING
/// The target libFuzzer runs; set once in `main` before the driver starts and only
/// read afterwards, from libFuzzer's single fuzzing thread.
nonisolated(unsafe) private var activeTarget = FuzzTarget.scope

private func runLibFuzzer(target: FuzzTarget, arguments: [String]) -> Int32 {
    activeTarget = target
    var argc = Int32(arguments.count)
    var storage: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    return storage.withUnsafeMutableBufferPointer { buffer in
        var argv = buffer.baseAddress
        return LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput)
    }
}

/// One libFuzzer input: an invariant violation aborts, which libFuzzer reports as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    do {
        try activeTarget.run(bytes)
    } catch {
        FileHandle.standardError.write(Data("invariant violated in \(activeTarget.rawValue): \(error)\n".utf8))
        abort()
    }
    return 0
}
#endif
