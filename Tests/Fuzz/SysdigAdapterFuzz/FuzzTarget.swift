import Foundation

/// A broken invariant: the harness turns it into a libFuzzer crash.
struct InvariantViolation: Error, CustomStringConvertible {
    var description: String
}

/// Throws `InvariantViolation(message())` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(InvariantViolation) {
    if !condition { throw InvariantViolation(description: message()) }
}

/// The fuzz targets; the raw value names the target and its corpus directory.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// `ScopeExpression.parse`: parse → render → parse is the identity.
    case scope
    /// `LabelSelector.parse`: parse → description → parse is the identity.
    case labelSelector = "label-selector"
    /// `Quantity`: text → milli-value → canonical text → the same milli-value, and back from numbers.
    case quantity
    /// `MappingFileLoader.parse`, then compiling and translating every valid mapping.
    case mapping
    /// `PromQLTemplate.parse`, then rendering accepted templates.
    case promqlTemplate = "promql-template"
    /// Data API JSON answers, decoded as `SysdigClient` does and read by query plans.
    case sysdigData = "sysdig-data"
    /// Prometheus JSON answers, decoded by `PromQLResponse.decode` and read by query plans.
    case prometheus

    func run(_ data: Data) throws(InvariantViolation) {
        switch self {
        case .scope: try ParserTargets.scope(data)
        case .labelSelector: try ParserTargets.labelSelector(data)
        case .quantity: try QuantityTarget.run(data)
        case .mapping: try MappingTarget.run(data)
        case .promqlTemplate: try ParserTargets.promQLTemplate(data)
        case .sysdigData: try ResponseTargets.sysdigData(data)
        case .prometheus: try ResponseTargets.prometheus(data)
        }
    }
}
