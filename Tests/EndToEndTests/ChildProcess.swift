import Foundation
import Shared
import TestSupport

extension ChildProcess {
    /// Runs `executable arguments` from the package root (where `crds/examples` is).
    convenience init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        try self.init(executable, arguments, environment: environment, currentDirectory: AdapterBinary.packageRoot)
    }
}
