import Synchronization

/// Monotonic time, as an offset from an arbitrary origin; injected where tests move time.
public typealias MonotonicNow = @Sendable () -> Duration

/// The continuous clock as an offset from the moment of this call.
public func continuousNow() -> MonotonicNow {
    let origin = ContinuousClock.now
    return { origin.duration(to: ContinuousClock.now) }
}

/// A small thread-safe map whose entries expire, for authentication and authorization
/// decisions. Each insert names its own lifetime (allowed and denied answers have separate
/// TTLs). The time source is injected so tests can move time without sleeping.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var value: Value
        var expires: Duration
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let capacity: Int
    private let now: MonotonicNow

    /// - Parameters:
    ///   - capacity: Entries kept at most; expired ones go first, then arbitrary ones.
    ///   - now: The time source (default: the continuous clock).
    public init(capacity: Int = 4096, now: @escaping MonotonicNow = continuousNow()) {
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// The live value for `key`, if any.
    public func value(for key: Key) -> Value? {
        let time = now()
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if entry.expires <= time {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// Stores `value` for `ttl`; a zero or negative TTL stores nothing.
    public func insert(_ value: Value, for key: Key, ttl: Duration) {
        guard ttl > .zero else { return }
        let time = now()
        entries.withLock { entries in
            if entries[key] == nil && entries.count >= capacity {
                entries = entries.filter { $0.value.expires > time }
                if entries.count >= capacity, let victim = entries.keys.first { entries[victim] = nil }
            }
            entries[key] = Entry(value: value, expires: time + ttl)
        }
    }

    /// Live entries (for tests and metrics).
    public var count: Int {
        let time = now()
        return entries.withLock { $0.values.filter { $0.expires > time }.count }
    }
}
