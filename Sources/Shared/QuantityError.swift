/// Why a quantity string could not be read as a milli-value.
public struct QuantityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Human-readable reason, naming the offending quantity.
    public var message: String

    /// Creates an error with the given message.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
