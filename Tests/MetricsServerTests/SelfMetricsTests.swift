import Foundation
import Shared
import Hummingbird
import Testing

@testable import MetricsServer

/// `/metrics` after a scripted scenario: the values, not just the names.
@Suite struct SelfMetricsTests {
    static let base = "/apis/custom.metrics.k8s.io/v1beta1"

    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func countsRequestsSysdigCallsCacheAndMappings() async throws {
        try await MetricsAPIHarness.run { api async throws in
            let path = Self.base + "/namespaces/shop/pods/web-1/http_requests"
            for _ in 0..<3 { #expect(try await api.get(path).status == 200) }          // 1 miss, 2 hits
            #expect(try await api.get(Self.base + "/namespaces/shop/pods/web-1/nope").status == 404)
            #expect(try await api.get(Self.base).status == 200)
            api.simulator.inject(.status(500, body: "{}", retryAfter: nil))
            #expect(try await api.get(Self.base + "/namespaces/shop/pods/web-2/http_requests").status == 503)  // Sysdig 5xx is ServiceUnavailable

            let metrics = try await api.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.body
            #expect(Self.value(text, #"sysdig_adapter_api_requests_total{kind="object",version="custom.metrics.k8s.io/v1beta1",code="200"}"#) == 3)
            #expect(Self.value(text, #"sysdig_adapter_api_requests_total{kind="object",version="custom.metrics.k8s.io/v1beta1",code="404"}"#) == 1)
            #expect(Self.value(text, #"sysdig_adapter_api_requests_total{kind="object",version="custom.metrics.k8s.io/v1beta1",code="503"}"#) == 1)
            #expect(Self.value(text, #"sysdig_adapter_api_requests_total{kind="discovery",version="custom.metrics.k8s.io/v1beta1",code="200"}"#) == 1)
            #expect(Self.value(text, #"sysdig_adapter_sysdig_requests_total{outcome="ok"}"#) == 1)
            #expect(Self.value(text, #"sysdig_adapter_sysdig_requests_total{outcome="5xx"}"#) == 1)
            #expect(Self.value(text, "sysdig_adapter_cache_hits_total") == 2)
            #expect(Self.value(text, "sysdig_adapter_cache_misses_total") == 2)
            #expect(Self.value(text, #"sysdig_adapter_mappings{state="ready"}"#) ?? 0 >= 1)
            #expect(Self.value(text, #"sysdig_adapter_build_info{version="\#(AdapterMetrics.version)"}"#) == 1)
            #expect(text.contains("sysdig_adapter_api_request_duration_seconds_bucket"))
            #expect(!text.contains(MetricsAPIHarness.token))
        }
    }

    @Test(arguments: [
        ("/readyz", "health"), ("/apis", "discovery"), ("/apis/custom.metrics.k8s.io/v1beta2", "discovery"),
        ("/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/pods/x/m", "object"),
        ("/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/pods/*/m", "selector"),
        ("/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/pods/%2A/m", "selector"),
        ("/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/metrics/m", "namespace"),
        ("/apis/external.metrics.k8s.io/v1beta1/namespaces/a/q", "external"), ("/metrics", "other"),
    ])
    func classifiesPaths(path: String, kind: String) {
        #expect(RequestMetricsMiddleware<BasicRequestContext>.classify(path).0 == kind)
    }
}
