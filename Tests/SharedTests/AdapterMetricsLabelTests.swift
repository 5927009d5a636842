import Foundation
import Testing

@testable import Shared

/// Issue 13 §1b: every label of every self-metric comes from a closed set, whatever
/// value a caller passes; anything else is `other`.
@Suite struct AdapterMetricsLabelTests {
    static func series(_ metrics: AdapterMetrics) -> Int {
        metrics.exposition().split(separator: "\n").filter { !$0.hasPrefix("#") }.count
    }

    @Test(arguments: [
        (200, "200"), (400, "400"), (401, "401"), (403, "403"), (404, "404"), (406, "406"), (429, "429"),
        (500, "500"), (503, "503"), (504, "504"), (201, "2xx"), (304, "3xx"), (405, "4xx"), (413, "4xx"),
        (502, "5xx"), (599, "5xx"), (101, "1xx"), (0, "other"), (999, "other"), (-1, "other"),
    ])
    func codesAreExactOnlyForAFixedSet(code: Int, label: String) {
        #expect(AdapterMetrics.codeLabel(code) == label)
    }

    @Test func unboundedValuesAllCountAsOther() {
        let metrics = AdapterMetrics()
        metrics.apiRequest(kind: "object", version: "custom.metrics.k8s.io/v1beta1", code: 200, duration: .zero)
        metrics.sysdigRequest(outcome: "ok", duration: .zero)
        metrics.watchRestarted(kind: MappingKind.cluster.rawValue, relist: true)
        metrics.watchRestarted(kind: MappingKind.cluster.rawValue, relist: false)
        for index in 0..<3 {  // the first round creates the `other` series
            let noise = "x\(index)-" + UUID().uuidString
            metrics.apiRequest(kind: noise, version: "x/" + noise, code: 400 + index * 7, duration: .milliseconds(index))
            metrics.sysdigRequest(outcome: noise, duration: .zero)
            metrics.watchRestarted(kind: noise, relist: true)
            metrics.watchRestarted(kind: noise, relist: false)
        }
        let before = Self.series(metrics)
        for index in 0..<200 {
            let noise = String(repeating: "n", count: index) + UUID().uuidString
            metrics.apiRequest(kind: noise, version: noise, code: 400 + index % 7 * 7, duration: .milliseconds(index))
            metrics.sysdigRequest(outcome: noise, duration: .zero)
            metrics.watchRestarted(kind: noise, relist: index.isMultiple(of: 2))
        }
        let text = metrics.exposition()
        #expect(Self.series(metrics) == before)
        #expect(!text.contains("nnnn"))
        #expect(text.contains(#"sysdig_adapter_api_requests_total{kind="other",version="other",code="4xx"} "#))
        #expect(text.contains(#"sysdig_adapter_sysdig_requests_total{outcome="other"} "#))
        #expect(text.contains(#"sysdig_adapter_watch_relists_total{kind="other"} "#))
        #expect(text.contains(#"sysdig_adapter_watch_relists_total{kind="ClusterSysdigMetricMapping"} 1"#))
        #expect(text.contains(#"sysdig_adapter_api_requests_total{kind="object",version="custom.metrics.k8s.io/v1beta1",code="200"} 1"#))
    }

    @Test func anEmptyVersionStaysEmpty() {
        let metrics = AdapterMetrics()
        metrics.apiRequest(kind: "health", version: "", code: 200, duration: .zero)
        #expect(metrics.exposition().contains(#"sysdig_adapter_api_requests_total{kind="health",version="",code="200"} 1"#))
    }
}
