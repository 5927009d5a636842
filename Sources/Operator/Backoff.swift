/// Exponential backoff with jitter, as client-go's reflector uses: 0.8 s doubling
/// to 30 s, each wait jittered by up to +100 %, reset after a healthy period.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    private(set) var current: Duration?

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next wait (and advances the sequence).
    public mutating func next() -> Duration {
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
