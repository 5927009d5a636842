import Foundation
import Shared

/// The status the adapter reports on a mapping object: `observedGeneration`,
/// `Ready` / `Valid` / `Conflicting` conditions (metav1.Condition) and what is served.
struct MappingStatus: Sendable, Hashable {
    struct Condition: Sendable, Hashable {
        var type: String
        var status: String
        var observedGeneration: Int64?
        var lastTransitionTime: String
        var reason: String
        var message: String

        var json: JSONValue {
            var fields: [String: JSONValue] = [
                "type": .string(type), "status": .string(status), "lastTransitionTime": .string(lastTransitionTime),
                "reason": .string(reason), "message": .string(message),
            ]
            if let observedGeneration { fields["observedGeneration"] = .number(Double(observedGeneration)) }
            return .object(fields)
        }
    }

    var observedGeneration: Int64?
    var conditions: [Condition]
    var servedResources: [String]

    var ready: Condition? { conditions.first { $0.type == "Ready" } }

    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "conditions": .array(conditions.map(\.json)),
            "servedResources": .array(servedResources.map(JSONValue.string)),
        ]
        if let observedGeneration { fields["observedGeneration"] = .number(Double(observedGeneration)) }
        return .object(fields)
    }

    /// The desired status for an entry. `previous` (the object's current status)
    /// keeps `lastTransitionTime` of conditions whose status did not change.
    static func desired(for entry: MappingEntry, generation: Int64?, previous: JSONValue?, now: Date) -> MappingStatus {
        let stamp = KubeTime.format(now)
        func condition(_ type: String, _ value: Bool, _ reason: String, _ message: String) -> Condition {
            let status = value ? "True" : "False"
            let old = previous?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
            let keep = old?["status"]?.stringValue == status ? old?["lastTransitionTime"]?.stringValue : nil
            return Condition(
                type: type, status: status, observedGeneration: generation, lastTransitionTime: keep ?? stamp,
                reason: reason, message: message.truncated(toUnicodeScalars: 32_768))
        }
        var served: [String] = []
        let conditions: [Condition]
        switch entry.state {
        case .ready(let compiled):
            served = compiled.targets.map { "custom.metrics.k8s.io \($0.resource.groupResource)/\(compiled.alias)" }
            if compiled.spec.external { served.append("external.metrics.k8s.io \(compiled.alias)") }
            conditions = [
                condition("Ready", true, "Serving", "serving \(compiled.alias) for " + served.joined(separator: ", ")),
                condition("Valid", true, "Valid", "the spec is valid"),
                condition("Conflicting", false, "NoConflict", "no other mapping serves \(compiled.alias) at this scope"),
            ]
        case .invalid(let problems):
            let message = problems.map(\.description).joined(separator: "; ")
            conditions = [
                condition("Ready", false, "InvalidSpec", message),
                condition("Valid", false, "InvalidSpec", message),
                condition("Conflicting", false, "NoConflict", "not evaluated: the spec is invalid"),
            ]
        case .conflicting(let winner):
            let alias = entry.mapping?.spec.metricName ?? "the alias"
            let message = "\(alias) is already served by \(winner), which is older or sorts first"
            conditions = [
                condition("Ready", false, "Conflict", message),
                condition("Valid", true, "Valid", "the spec is valid"),
                condition("Conflicting", true, "Conflict", message),
            ]
        }
        return MappingStatus(observedGeneration: generation, conditions: conditions, servedResources: served)
    }

    /// Whether both say the same apart from `lastTransitionTime` stamps (which depend
    /// on when the status was computed).
    func sameIgnoringTransitionTimes(_ other: MappingStatus) -> Bool {
        func strip(_ status: MappingStatus) -> MappingStatus {
            var status = status
            for index in status.conditions.indices { status.conditions[index].lastTransitionTime = "" }
            return status
        }
        return strip(self) == strip(other)
    }

    /// Whether `current` (as stored on the object) already says the same.
    func matches(_ current: JSONValue?) -> Bool {
        guard let current else { return false }
        return normalized(current) == normalized(json)
    }

    private func normalized(_ value: JSONValue) -> JSONValue {
        guard case .object(var fields) = value else { return value }
        fields["lastQuery"] = nil  // written separately, by query health
        return .object(fields)
    }
}
