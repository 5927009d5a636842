/// A PromQL query or template the adapter's parser refuses, located by line and
/// column (1-based, counted in Unicode scalars) as Prometheus reports its own errors.
public struct PromQLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line of the offending token.
    public var line: Int
    /// 1-based column of the offending token.
    public var column: Int
    /// What is wrong there.
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `1:34: parse error: unexpected "}"`, Prometheus' own format.
    public var description: String { "\(line):\(column): parse error: \(message)" }
}

/// A position inside the source text, as a scalar offset plus line and column.
struct PromQLPosition: Sendable, Hashable {
    var offset: Int
    var line: Int
    var column: Int

    static let start = PromQLPosition(offset: 0, line: 1, column: 1)

    func error(_ message: String) -> PromQLError {
        PromQLError(line: line, column: column, message: message)
    }
}
