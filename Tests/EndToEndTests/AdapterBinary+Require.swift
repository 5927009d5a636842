import Foundation

extension AdapterBinary {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "build sysdig-adapter first (hack/test.sh does)" }
    }

    static func require() throws -> String {
        guard let path else { throw Missing() }
        return path
    }
}
