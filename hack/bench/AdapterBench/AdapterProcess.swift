import Foundation
import Shared
import TestSupport

/// The real `sysdig-adapter` binary as a child process (Shared's `ChildProcess`).
typealias AdapterProcess = ChildProcess

extension ChildProcess {
    /// Starts `executable ARGS --bind-address 127.0.0.1 --secure-port 0`.
    convenience init(adapter executable: String, _ arguments: [String]) throws {
        try self.init(executable, arguments + ["--bind-address", "127.0.0.1", "--secure-port", "0"], stderrLimit: 256 * 1024)
    }
}
