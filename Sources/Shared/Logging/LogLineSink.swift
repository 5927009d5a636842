#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where a log handler writes finished lines. Implementations must be safe to call
/// from any thread and must keep each line whole.
public protocol LogLineSink: Sendable {
    /// Writes one line; `line` carries no trailing newline.
    func write(line: String)
}

/// Writes lines to the process's standard error, one `write(2)` per line.
///
/// A single lock shared by every instance serialises the writes, so lines from
/// concurrent loggers never interleave even when a line is longer than `PIPE_BUF`.
public struct StandardErrorLogSink: LogLineSink {
    private static let lock = Mutex(())

    /// Creates the sink; all instances share the same lock and file descriptor.
    public init() {}

    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        Self.lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(STDERR_FILENO, base + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // stderr closed or full: dropping a log line beats blocking or crashing
                    }
                }
            }
        }
    }
}

/// `write(2)`, named apart from the protocol requirement it would otherwise shadow.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
