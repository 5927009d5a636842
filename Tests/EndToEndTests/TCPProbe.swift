#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain TCP connection attempts to a local port, below any HTTP client (whose
/// connection pool could reuse a connection opened before the server stopped accepting).
enum TCPProbe {
    enum Outcome: Equatable {
        case accepted
        case refused
        case failed(Int32)
    }

    /// One connect to 127.0.0.1:`port`; the socket is closed again at once.
    static func connect(port: Int) -> Outcome {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return .failed(errno) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                systemConnect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return .accepted }
        return errno == ECONNREFUSED ? .refused : .failed(errno)
    }

    /// Attempts connections until one is refused, up to `limit`; each accepted probe is
    /// closed unused. Returns whether a refusal was seen. There is no event for "the
    /// listener closed", so this polls, with a short pause between attempts.
    static func waitUntilRefused(port: Int, limit: Duration) async -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if connect(port: port) == .refused { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

#if canImport(Glibc)
private let systemConnect = Glibc.connect
#elseif canImport(Darwin)
private let systemConnect = Darwin.connect
#endif
