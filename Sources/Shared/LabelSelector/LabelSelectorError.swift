/// Why a Kubernetes label selector or requirement was refused; `message` names the offending requirement.
public struct LabelSelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Human-readable reason, safe to return to API clients (HTTP 400).
    public var message: String

    /// Creates an error with the given message.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
