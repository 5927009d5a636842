import NIOCore
import Shared
import Synchronization

/// Rendered APIResourceList bodies, kept until the config snapshot changes:
/// discovery is asked often (kubectl, the aggregator, every HPA sync) and with
/// thousands of aliases rendering it per request would dominate.
final class DiscoveryCache: Sendable {
    private struct Key: Hashable {
        var version: MetricsAPIVersion
        var pretty: Bool
    }

    private let entries = Mutex<(snapshot: Int, bodies: [Key: ByteBuffer])>((-1, [:]))

    /// The body for `version` in `snapshot`, rendered at most once per snapshot version.
    /// Responses share the buffer's storage (copy-on-write), so a large list is not
    /// copied per request.
    func body(_ version: MetricsAPIVersion, snapshot: ConfigSnapshot, pretty: Bool) -> ByteBuffer {
        let key = Key(version: version, pretty: pretty)
        if let cached = entries.withLock({ $0.snapshot == snapshot.version ? $0.bodies[key] : nil }) {
            return cached
        }
        let body = ByteBuffer(string: DiscoveryDocuments.resourceList(version, snapshot: snapshot).goJSON.rendered(pretty: pretty))
        entries.withLock { entries in
            if entries.snapshot != snapshot.version { entries = (snapshot.version, [:]) }
            entries.bodies[key] = body
        }
        return body
    }
}
