import Foundation

/// What tells a changed file from an unchanged one without reading it: the path
/// after resolving symlinks (Kubernetes swaps a mounted Secret's or ConfigMap's
/// `..data` symlink on rotation), inode, size and modification time.
public struct FileIdentity: Sendable, Hashable {
    public var resolvedPath: String
    public var inode: Int?
    public var size: Int?
    public var modified: Date?

    /// The identity of the file at `path` now; nil when it does not exist or cannot be inspected.
    public static func of(path: String) -> FileIdentity? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved) else { return nil }
        return FileIdentity(
            resolvedPath: resolved,
            inode: (attributes[.systemFileNumber] as? NSNumber)?.intValue,
            size: (attributes[.size] as? NSNumber)?.intValue,
            modified: attributes[.modificationDate] as? Date)
    }
}
