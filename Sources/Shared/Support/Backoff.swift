/// Exponential backoff with jitter, as client-go's reflector uses
/// (`wait.NewExponentialBackoffManager(800ms, 30s, 2m, 2.0, 1.0, clock)`): 0.8 s doubling
/// to 30 s, each wait jittered by up to +100 %, and back to the start when no backoff
/// was needed for `resetAfter` (a healthy period) or when `reset()` is called.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    /// A backoff more than this after the previous one starts again from `initial`.
    public var resetAfter: Duration
    private(set) var current: Duration?
    private var lastBackoff: ContinuousClock.Instant?

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), resetAfter: Duration = .seconds(120)) {
        self.initial = initial
        self.maximum = maximum
        self.resetAfter = resetAfter
    }

    /// The next wait (and advances the sequence). `now` is when the wait starts.
    public mutating func next(now: ContinuousClock.Instant = .now) -> Duration {
        if let lastBackoff, now - lastBackoff >= resetAfter { current = nil }
        lastBackoff = now
        let base = current.map { min($0 * 2, maximum) } ?? initial
        current = base
        let jitter = Double.random(in: 0..<1)
        return base + base * jitter
    }

    public mutating func reset() {
        current = nil
    }
}

/// How the operator waits. Production sleeps; tests inject one that returns at
/// once or records the requested durations, so no test sleeps.
public typealias Sleeper = @Sendable (Duration) async throws -> Void

public enum Sleepers {
    /// `Task.sleep` on the continuous clock.
    public static let real: Sleeper = { try await Task.sleep(for: $0) }
}

/// What time it is, on the clock backoffs are measured with (tests inject one).
public typealias InstantSource = @Sendable () -> ContinuousClock.Instant
