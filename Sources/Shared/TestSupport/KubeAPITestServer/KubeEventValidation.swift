import Shared
/// What kube-apiserver checks when an `events.k8s.io/v1` Event is created
/// (kubernetes/kubernetes pkg/apis/core/validation/events.go, `ValidateEventCreate` and
/// `legacyValidateEvent` on the internal Event: `note` is checked as `message`,
/// `regarding` as `involvedObject`). Lengths are Go `len()`, so bytes.
enum KubeEventValidation {
    static func validate(_ event: JSONValue, namespace: String?) -> [KubeFieldError] {
        var errors: [KubeFieldError] = []
        let namespace = namespace ?? ""
        if (event["eventTime"]?.stringValue ?? "").isEmpty { errors.append(.required("eventTime")) }
        let regardingNamespace = event["regarding"]?["namespace"]?.stringValue ?? ""
        if regardingNamespace.isEmpty, namespace != "default", namespace != "kube-system" {
            // An event about a cluster-scoped object lives in default or kube-system only.
            errors.append(.invalid("involvedObject.namespace", .string(regardingNamespace), "does not match event.namespace"))
        }
        let controller = event["reportingController"]?.stringValue ?? ""
        if controller.isEmpty { errors.append(.required("reportingController")) }
        let instance = event["reportingInstance"]?.stringValue ?? ""
        if instance.isEmpty { errors.append(.required("reportingInstance")) }
        if instance.utf8.count > 128 { errors.append(.invalid("reportingInstance", .string(""), "can have at most 128 characters")) }
        for field in ["action", "reason"] {
            let value = event[field]?.stringValue ?? ""
            if value.isEmpty { errors.append(.required(field)) }
            if value.utf8.count > 128 { errors.append(.invalid(field, .string(""), "can have at most 128 characters")) }
        }
        if (event["note"]?.stringValue ?? "").utf8.count > 1024 {
            errors.append(.invalid("message", .string(""), "can have at most 1024 characters"))
        }
        let type = event["type"]?.stringValue ?? ""
        if type != "Normal", type != "Warning" {
            errors.append(.invalid("type", .string(""), "has invalid value: \(type)"))
        }
        return errors
    }
}
