import Synchronization

/// Monotonic time, as an offset from an arbitrary origin; injected where tests move time.
public typealias MonotonicNow = @Sendable () -> Duration

/// The continuous clock as an offset from the moment of this call.
public func continuousNow() -> MonotonicNow {
    let origin = ContinuousClock.now
    return { origin.duration(to: ContinuousClock.now) }
}

/// A thread-safe least-recently-used map whose entries also expire, for authentication and
/// authorization decisions (k8s.io/apimachinery's `LRUExpireCache`, which kube-apiserver's
/// webhook authorizer uses; the token cache is a striped LRU of the same kind).
///
/// Each insert names its own lifetime (allowed and denied answers have separate TTLs).
/// When full, an insert evicts the entry used least recently, so a flood of one-off keys
/// (bogus tokens, random paths) pushes out other one-off keys first while the entries
/// real callers keep hitting stay. The time source is injected so tests can move time
/// without sleeping.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let storage: Mutex<LRUStorage<Key, Value>>
    private let now: MonotonicNow
    /// Entries kept at most.
    public let capacity: Int

    /// - Parameters:
    ///   - capacity: Entries kept at most; past it the least recently used one goes.
    ///   - now: The time source (default: the continuous clock).
    public init(capacity: Int = 4096, now: @escaping MonotonicNow = continuousNow()) {
        self.capacity = max(1, capacity)
        self.storage = Mutex(LRUStorage(capacity: max(1, capacity)))
        self.now = now
    }

    /// The live value for `key`, if any; a hit makes it the most recently used entry.
    public func value(for key: Key) -> Value? {
        let time = now()
        return storage.withLock { $0.value(for: key, at: time) }
    }

    /// Stores `value` for `ttl`; a zero or negative TTL stores nothing.
    public func insert(_ value: Value, for key: Key, ttl: Duration) {
        guard ttl > .zero else { return }
        let time = now()
        storage.withLock { $0.insert(value, for: key, expires: time + ttl) }
    }

    /// Live entries (for tests and metrics).
    public var count: Int {
        let time = now()
        return storage.withLock { $0.liveCount(at: time) }
    }

    /// Entries evicted to make room so far (expired ones are not counted).
    public var evictions: Int { storage.withLock { $0.evictions } }
}

/// The list behind ``ExpiringCache``: a dictionary into an array of nodes linked from the
/// most (`head`) to the least (`tail`) recently used, with freed slots reused.
struct LRUStorage<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Node: Sendable {
        var key: Key
        var value: Value
        var expires: Duration
        var newer: Int?
        var older: Int?
    }

    private var index: [Key: Int] = [:]
    private var nodes: [Node?] = []
    private var free: [Int] = []
    private var head: Int?
    private var tail: Int?
    private let capacity: Int
    private(set) var evictions = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func value(for key: Key, at time: Duration) -> Value? {
        guard let slot = index[key], let node = nodes[slot] else { return nil }
        if node.expires <= time {
            remove(slot)
            return nil
        }
        moveToFront(slot)
        return node.value
    }

    mutating func insert(_ value: Value, for key: Key, expires: Duration) {
        if let slot = index[key] {
            nodes[slot]?.value = value
            nodes[slot]?.expires = expires
            moveToFront(slot)
            return
        }
        if index.count >= capacity, let oldest = tail {
            remove(oldest)
            evictions += 1
        }
        let node = Node(key: key, value: value, expires: expires, newer: nil, older: head)
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            nodes[slot] = node
        } else {
            slot = nodes.count
            nodes.append(node)
        }
        if let head { nodes[head]?.newer = slot }
        head = slot
        if tail == nil { tail = slot }
        index[key] = slot
    }

    func liveCount(at time: Duration) -> Int {
        index.values.reduce(0) { count, slot in count + ((nodes[slot]?.expires ?? .zero) > time ? 1 : 0) }
    }

    private mutating func moveToFront(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        nodes[slot]?.older = head
        nodes[slot]?.newer = nil
        if let head { nodes[head]?.newer = slot }
        head = slot
        if tail == nil { tail = slot }
    }

    private mutating func remove(_ slot: Int) {
        guard let node = nodes[slot] else { return }
        unlink(slot)
        index[node.key] = nil
        nodes[slot] = nil
        free.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        guard let node = nodes[slot] else { return }
        if let newer = node.newer { nodes[newer]?.older = node.older } else { head = node.older }
        if let older = node.older { nodes[older]?.newer = node.newer } else { tail = node.newer }
        nodes[slot]?.newer = nil
        nodes[slot]?.older = nil
    }
}
