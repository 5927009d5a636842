import Foundation
import Shared

/// Sysdig answers, read exactly as the adapter reads them: decoded like `SysdigClient`
/// does, turned into samples by unsegmented and segmented plans (with a multiplier),
/// and each sample formatted as the API answers it (a quantity and an RFC 3339 time).
enum ResponseTargets {
    static let dataRequest = SysdigDataRequest(
        last: 60, metrics: [.init(id: "kubernetes.pod.name"), .init(id: "cpu.used.percent", aggregations: .init(time: "timeAvg", group: "avg"))])
    static let dataPlans = [
        SysdigQueryPlan(request: dataRequest, segmentLabel: nil, windowSeconds: 60, multiplier: nil, noData: .error),
        SysdigQueryPlan(request: dataRequest, segmentLabel: "kubernetes.pod.name", windowSeconds: 60, multiplier: 1e-3, noData: .value(0)),
    ]
    static let promQLPlans = [
        SysdigQueryPlan(backendRequest: .promql(PromQLRequest(query: "up")), segmentLabel: nil, windowSeconds: 60, multiplier: nil, noData: .error),
        SysdigQueryPlan(backendRequest: .promql(PromQLRequest(query: "up")), segmentLabel: "kube_pod_name", windowSeconds: 60, multiplier: 8, noData: .error),
    ]

    /// A decoded Data API answer re-encodes to an equal answer; samples are finite.
    static func sysdigData(_ data: Data) throws(InvariantViolation) {
        guard let response = try? JSONDecoder().decode(SysdigDataResponse.self, from: data) else { return }
        if let encoded = try? JSONEncoder().encode(response) {
            let again = try? JSONDecoder().decode(SysdigDataResponse.self, from: encoded)
            try require(again == response, "re-encoding a Data API answer changes it")
        }
        for plan in dataPlans {
            try check(plan.samples(from: response))
        }
    }

    /// A decoded Prometheus answer gives finite samples that format as quantities.
    static func prometheus(_ data: Data) throws(InvariantViolation) {
        guard case .success(let response) = PromQLResponse.decode(data) else { return }
        for plan in promQLPlans {
            try check(plan.samples(from: response))
        }
    }

    static func check(_ samples: [SysdigQueryPlan.Sample]) throws(InvariantViolation) {
        for sample in samples {
            try require(!sample.value.isNaN, "a NaN sample was not dropped")
            _ = Quantity.format(sample.value)
            if let timestamp = sample.timestamp {
                // What MetricsProvider and the wire layer do with a sample's time.
                _ = KubeTime.format(Date(timeIntervalSince1970: TimeInterval(timestamp)))
            }
        }
    }
}
