/// Why a Sysdig scope expression, term, label or value was refused.
///
/// `message` is complete and safe to show to users (it already ends with
/// "at position N" when a position is known); `position` repeats that column
/// for callers that want to point at it.
public struct ScopeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Human-readable reason, including the position when known.
    public var message: String
    /// 1-based column (in Unicode scalars) in the parsed text, or nil when the
    /// error did not come from parsing text.
    public var position: Int?

    /// Creates an error from a reason; when `position` is given, " at position N" is appended to the message.
    public init(_ reason: String, position: Int? = nil) {
        if let position {
            self.message = "\(reason) at position \(position)"
        } else {
            self.message = reason
        }
        self.position = position
    }

    /// Creates an error with a complete message (which should already mention `position`, if any).
    public init(message: String, position: Int?) {
        self.message = message
        self.position = position
    }

    /// The message.
    public var description: String { message }
}
