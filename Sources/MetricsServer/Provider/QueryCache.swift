import Shared
import Synchronization

/// Caches Sysdig answers (either backend, keyed by the exact request) for a TTL and coalesces identical requests in flight:
/// N HPAs asking the same question at once cost one Sysdig request. Errors are
/// shared with the callers waiting on that request but never cached. Bounded:
/// past `capacity` entries the least recently used are dropped.
public final class QueryCache: Sendable {
    /// Counters exported as self-metrics.
    public struct Statistics: Sendable, Hashable {
        public var hits = 0
        public var misses = 0
        public var coalesced = 0
        public var evictions = 0
    }

    private struct Entry {
        var response: SysdigBackendResponse
        var expires: ContinuousClock.Instant
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [SysdigBackendRequest: Entry] = [:]
        var inFlight: [SysdigBackendRequest: Task<SysdigBackendResponse, any Error>] = [:]
        var tick: UInt64 = 0
        var statistics = Statistics()
    }

    private let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    /// - Parameter now: injectable clock, so tests can expire entries without sleeping.
    public init(capacity: Int = 10_000, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.capacity = max(1, capacity)
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
        let lookup: Lookup = state.withLock { state in
            state.tick += 1
            if let entry = state.entries[request], entry.expires > now() {
                state.entries[request]?.lastUsed = state.tick
                state.statistics.hits += 1
                return .hit(entry.response)
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
        state.withLock { state in
            state.inFlight[request] = nil
            guard case .success(let response) = result, ttl > .zero else { return }
            state.tick += 1
            state.entries[request] = Entry(response: response, expires: now() + ttl, lastUsed: state.tick)
            if state.entries.count > capacity { evict(&state) }
        }
    }

    /// Drops expired entries, then the least recently used half above capacity.
    private func evict(_ state: inout State) {
        let current = now()
        let before = state.entries.count
        state.entries = state.entries.filter { $0.value.expires > current }
        if state.entries.count > capacity {
            let keep = capacity / 2
            let survivors = state.entries.sorted { $0.value.lastUsed > $1.value.lastUsed }.prefix(keep)
            state.entries = Dictionary(uniqueKeysWithValues: survivors.map { ($0.key, $0.value) })
        }
        state.statistics.evictions += before - state.entries.count
    }

    /// Number of cached answers (fresh or not yet evicted).
    public var count: Int { state.withLock { $0.entries.count } }
}
