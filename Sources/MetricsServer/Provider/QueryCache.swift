import Shared
import Synchronization

/// Caches Sysdig answers (either backend, keyed by the exact request) for a TTL and coalesces identical requests in flight:
/// N HPAs asking the same question at once cost one Sysdig request. Errors are
/// shared with the callers waiting on that request but never cached.
///
/// Bounded by bytes, not entries: each entry is charged an estimate of what it holds
/// (`QueryCache.cost(of:_:)`), and past `maxBytes` the least recently used go first.
/// Expired entries are dropped when looked up, from the cold end of the LRU order on
/// every insert, and by a full sweep at most once per `sweepInterval`, so they are never
/// kept until displaced.
public final class QueryCache: Sendable {
    /// Counters exported as self-metrics.
    public struct Statistics: Sendable, Hashable {
        public var hits = 0
        public var misses = 0
        public var coalesced = 0
        /// Entries dropped to stay within the byte budget.
        public var evictions = 0
        /// Entries dropped because their TTL had passed.
        public var expirations = 0
        /// Answers not cached because one alone exceeds a quarter of the budget.
        public var oversized = 0
    }

    /// 64 MiB: tens of thousands of typical answers (a few hundred bytes to a few kB each).
    public static let defaultMaxBytes = 64 << 20
    /// A full sweep of expired entries runs at most this often (on insert or `count`).
    public static let sweepInterval: Duration = .seconds(5)

    private struct State {
        var entries = QueryCacheEntries()
        var inFlight: [SysdigBackendRequest: Task<SysdigBackendResponse, any Error>] = [:]
        var lastSweep: ContinuousClock.Instant?
        var statistics = Statistics()
    }

    /// The byte budget of all entries together.
    public let maxBytes: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maxBytes: budget for all cached answers, by `cost(of:_:)`.
    ///   - now: injectable clock, so tests can expire entries without sleeping.
    public init(maxBytes: Int = QueryCache.defaultMaxBytes, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.maxBytes = max(1, maxBytes)
        self.now = now
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Returns a fresh cached answer, joins an identical request in flight, or runs `fetch`.
    /// A caller that joins someone else's request waits for it at most until its own
    /// `deadline` (the request it joined may have started with a later one), then gets a
    /// timeout; the request itself goes on for the callers that are still waiting.
    public func response(
        for request: SysdigBackendRequest, ttl: Duration, deadline: ContinuousClock.Instant? = nil,
        fetch: @escaping @Sendable () async throws -> SysdigBackendResponse
    ) async throws -> SysdigBackendResponse {
        enum Lookup { case hit(SysdigBackendResponse), wait(Task<SysdigBackendResponse, any Error>, owner: Bool) }
        let current = now()
        let lookup: Lookup = state.withLock { state in
            switch state.entries.lookup(request, at: current) {
            case .fresh(let response):
                state.statistics.hits += 1
                return .hit(response)
            case .expired:
                state.statistics.expirations += 1
            case .absent:
                break
            }
            if let task = state.inFlight[request] {
                state.statistics.coalesced += 1
                return .wait(task, owner: false)
            }
            state.statistics.misses += 1
            let task = Task { try await fetch() }
            state.inFlight[request] = task
            return .wait(task, owner: true)
        }
        switch lookup {
        case .hit(let response):
            return response
        case .wait(let task, let owner):
            if !owner, let deadline { return try await DeadlineJoin.wait(for: task, until: deadline).get() }
            let result = await task.result
            if owner { finish(request, result: result, ttl: ttl) }
            return try result.get()
        }
    }

    private func finish(_ request: SysdigBackendRequest, result: Result<SysdigBackendResponse, any Error>, ttl: Duration) {
        let current = now()
        // Priced outside the lock: it walks the whole answer.
        let bytes = result.map { Self.cost(of: request, $0) }
        state.withLock { state in
            state.inFlight[request] = nil
            sweep(&state, at: current, full: false)
            guard case .success(let response) = result, case .success(let bytes) = bytes, ttl > .zero else { return }
            guard bytes <= maxBytes / 4 else {
                state.statistics.oversized += 1
                return
            }
            state.entries.insert(request, response, bytes: bytes, expires: current + ttl)
            while state.entries.bytes > maxBytes, state.entries.removeOldest() { state.statistics.evictions += 1 }
        }
    }

    /// Drops expired entries: the cold end of the LRU order always, all of them when
    /// `full` or when the last full sweep is `sweepInterval` old.
    private func sweep(_ state: inout State, at current: ContinuousClock.Instant, full: Bool) {
        state.statistics.expirations += state.entries.removeExpiredOldest(at: current)
        if full || state.lastSweep.map({ current - $0 >= Self.sweepInterval }) ?? true {
            state.lastSweep = current
            state.statistics.expirations += state.entries.removeExpired(at: current)
        }
    }

    /// Number of fresh cached answers; expired ones are dropped on the way.
    public var count: Int {
        let current = now()
        return state.withLock { state in
            sweep(&state, at: current, full: true)
            return state.entries.count
        }
    }

    /// The estimated bytes of every cached answer (`cost(of:_:)`), at most `maxBytes`.
    public var bytes: Int { state.withLock { $0.entries.bytes } }
}

extension QueryCache {
    /// Bookkeeping of one entry: its array slot, index bucket, links, expiry and the
    /// headers of the arrays it points to.
    static let entryOverhead = 512

    /// An estimate, on the high side, of the memory one cached answer holds: the fixed
    /// `entryOverhead`, the request's strings, and the answer's samples and labels.
    /// Checked against RSS growth (Linux, 64 MiB filled): a 4-pod PromQL vector is
    /// estimated at 1614 bytes and took 1574, a 4-row Data API answer 1505 and 1501, a
    /// bare one-sample answer 673 and 565.
    static func cost(of request: SysdigBackendRequest, _ response: SysdigBackendResponse) -> Int {
        entryOverhead + cost(of: request) + cost(of: response)
    }

    static func cost(of request: SysdigBackendRequest) -> Int {
        switch request {
        case .data(let data):
            return heapBytes(data.filter) + heapBytes(data.dataSourceType)
                + data.metrics.reduce(0) { sum, metric in
                    sum + 48 + heapBytes(metric.id) + heapBytes(metric.aggregations?.time) + heapBytes(metric.aggregations?.group)
                }
        case .promql(let promql):
            return heapBytes(promql.query)
        }
    }

    static func cost(of response: SysdigBackendResponse) -> Int {
        switch response {
        case .data(let data):
            // Per sample: its element (t, d), d's array header, 24 bytes per value and its text.
            return data.data.reduce(0) { sum, sample in
                sum + 56 + sample.d.reduce(0) { total, value in
                    guard case .string(let text) = value else { return total + 24 }
                    return total + 24 + heapBytes(text)
                }
            }
        case .promql(let promql):
            // Per sample: its element and its labels dictionary (header, then 64 bytes a label and the text).
            return promql.warnings.reduce(0) { $0 + 16 + heapBytes($1) }
                + promql.samples.reduce(0) { sum, sample in
                    sum + 112 + sample.labels.reduce(0) { $0 + 64 + heapBytes($1.key) + heapBytes($1.value) }
                }
        }
    }

    /// Heap bytes of a string: none up to 15 UTF-8 bytes (kept inline), else a header and the bytes.
    static func heapBytes(_ text: String?) -> Int {
        guard let count = text?.utf8.count, count > 15 else { return 0 }
        return 32 + count
    }
}

/// The cached answers in least-recently-used order: slots in one array linked both
/// ways by index, so a hit, an insert and an eviction each cost O(1).
private struct QueryCacheEntries {
    enum Lookup { case fresh(SysdigBackendResponse), expired, absent }

    private struct Slot {
        var key: SysdigBackendRequest
        var response: SysdigBackendResponse
        var expires: ContinuousClock.Instant
        var bytes: Int
        /// Neighbours towards the most (`newer`) and least (`older`) recently used; -1 for none.
        var newer = -1
        var older = -1
    }

    private var slots: [Slot?] = []
    private var free: [Int] = []
    private var index: [SysdigBackendRequest: Int] = [:]
    private var newest = -1
    private var oldest = -1
    /// Sum of the entries' `bytes`.
    private(set) var bytes = 0

    var count: Int { index.count }

    /// A fresh answer becomes the most recently used; an expired one is removed.
    mutating func lookup(_ key: SysdigBackendRequest, at now: ContinuousClock.Instant) -> Lookup {
        guard let position = index[key], let slot = slots[position] else { return .absent }
        guard slot.expires > now else {
            remove(position)
            return .expired
        }
        unlink(position)
        linkAsNewest(position)
        return .fresh(slot.response)
    }

    /// Adds (or replaces) an entry as the most recently used.
    mutating func insert(
        _ key: SysdigBackendRequest, _ response: SysdigBackendResponse, bytes: Int, expires: ContinuousClock.Instant
    ) {
        if let existing = index[key] { remove(existing) }
        let slot = Slot(key: key, response: response, expires: expires, bytes: bytes)
        let position: Int
        if let reused = free.popLast() {
            slots[reused] = slot
            position = reused
        } else {
            slots.append(slot)
            position = slots.count - 1
        }
        index[key] = position
        self.bytes += bytes
        linkAsNewest(position)
    }

    /// Removes the least recently used entry; false when there is none.
    mutating func removeOldest() -> Bool {
        guard oldest >= 0 else { return false }
        remove(oldest)
        return true
    }

    /// Removes expired entries from the least recently used end, up to the first fresh one.
    mutating func removeExpiredOldest(at now: ContinuousClock.Instant) -> Int {
        var removed = 0
        while oldest >= 0, let slot = slots[oldest], slot.expires <= now {
            remove(oldest)
            removed += 1
        }
        return removed
    }

    /// Removes every expired entry: O(slots).
    mutating func removeExpired(at now: ContinuousClock.Instant) -> Int {
        let expired = slots.indices.filter { slots[$0].map { $0.expires <= now } ?? false }
        for position in expired { remove(position) }
        return expired.count
    }

    private mutating func remove(_ position: Int) {
        guard slots.indices.contains(position), let slot = slots[position] else { return }
        unlink(position)
        index[slot.key] = nil
        bytes -= slot.bytes
        slots[position] = nil
        if index.isEmpty {
            // Give back the peak's storage once empty.
            self = QueryCacheEntries()
        } else {
            free.append(position)
        }
    }

    private mutating func unlink(_ position: Int) {
        guard let slot = slots[position] else { return }
        if slot.newer >= 0 { slots[slot.newer]?.older = slot.older } else { newest = slot.older }
        if slot.older >= 0 { slots[slot.older]?.newer = slot.newer } else { oldest = slot.newer }
        slots[position]?.newer = -1
        slots[position]?.older = -1
    }

    private mutating func linkAsNewest(_ position: Int) {
        slots[position]?.older = newest
        slots[position]?.newer = -1
        if newest >= 0 { slots[newest]?.newer = position }
        newest = position
        if oldest < 0 { oldest = position }
    }
}
