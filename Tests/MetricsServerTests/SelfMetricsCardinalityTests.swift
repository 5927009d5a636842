import Foundation
import Hummingbird
import Shared
import Testing

@testable import MetricsServer

/// Issue 13 §1b: no request can add a series to `/metrics`. Random long paths, unknown
/// groups and versions, 400/404/405/406 answers: once each kind of request has been seen,
/// hundreds more leave the exposition with exactly the same series.
@Suite struct SelfMetricsCardinalityTests {
    /// Marks every random part, so a leak into the exposition is easy to spot.
    static let marker = "rndq"

    static func random(_ length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-")
        return marker + String((0..<length).map { _ in alphabet.randomElement() ?? "x" })
    }

    /// One request of each shape, with fresh random parts: (path, method, accept).
    static func requests(length: Int) -> [(String, String, String?)] {
        let custom = "/apis/custom.metrics.k8s.io"
        return [
            ("/apis/x/\(random(length))", "GET", "application/json"),
            ("/apis/\(random(length))", "GET", "application/json"),
            ("/apis/\(random(24))/\(random(24))/namespaces/shop/pods/web-1/\(random(length))", "GET", "application/json"),
            ("\(custom)/\(random(length))/namespaces/shop/pods/web-1/http_requests", "GET", "application/json"),
            ("\(custom)/v1beta1/namespaces/\(random(60))/pods/\(random(length))/\(random(60))", "GET", "application/json"),
            ("\(custom)/v1beta2/namespaces/shop/pods/%2A/\(random(length))?labelSelector=app%3D\(random(60))", "GET", "application/json"),
            ("\(custom)/v1beta2/namespaces/shop/metrics/\(random(length))", "GET", "application/json"),
            ("\(custom)/v1beta1/namespaces/shop/pods/web-1/http_requests?metricLabelSelector=\(random(length))%20in%20(", "GET", "application/json"),
            ("/apis/external.metrics.k8s.io/v1beta1/namespaces/\(random(60))/\(random(length))", "GET", "application/json"),
            ("\(custom)/v1beta1/\(random(length))", "DELETE", "application/json"),
            ("\(custom)/v1beta1/namespaces/shop/pods/web-1/\(random(length))", "GET", "text/\(random(40))"),
            ("/\(random(length))", "GET", "application/json"),
            ("/healthz/\(random(length))", "GET", nil),
        ]
    }

    /// Sample lines of the exposition (no `#` comments, no blank lines).
    static func series(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    @Test func randomRequestsAddNoSeries() async throws {
        try await MetricsAPIHarness.run { api async throws in
            // Every shape once, and /metrics itself twice (its own request is counted after it answers).
            for (path, method, accept) in Self.requests(length: 64) {
                _ = try await api.get(path, accept: accept, method: method)
            }
            _ = try await api.get("/metrics")
            let before = Self.series(try await api.get("/metrics").body)

            var statuses: Set<Int> = []
            // Long random parts, but within the path limit (longer paths are a 414 before routing).
            let batch = Self.requests(length: 1_500)
            for round in 0..<(500 / batch.count + 1) {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for (path, method, accept) in round == 0 ? batch : Self.requests(length: 1_500) {
                        group.addTask { try await api.get(path, accept: accept, method: method).status }
                    }
                    for try await status in group { statuses.insert(status) }
                }
            }
            statuses.insert(try await api.get("/apis/" + String(repeating: "z", count: 4_096)).status)
            let text = try await api.get("/metrics").body
            let after = Self.series(text)

            #expect(statuses.isSuperset(of: [400, 404, 405, 406, 414]), "\(statuses)")
            #expect(after.count == before.count, "new series: \(Set(after.map(Self.name)).subtracting(before.map(Self.name)))")
            #expect(!text.contains(Self.marker))
            #expect(text.utf8.count < 64 << 10)
            for line in after where line.hasPrefix("sysdig_adapter_api_requests_total{") {
                let labels = Self.labels(line)
                #expect(labels["version"].map { $0.isEmpty || AdapterMetrics.apiVersions.contains($0) || $0 == "other" } == true, "\(line)")
                #expect(labels["kind"].map(AdapterMetrics.apiKinds.contains) == true, "\(line)")
                #expect(labels["code"].map { Self.codes.contains($0) } == true, "\(line)")
            }
            // Requests to unknown versions are counted, under `other`.
            #expect(after.contains { $0.hasPrefix(#"sysdig_adapter_api_requests_total{kind="other",version="other",code="404"}"#) })
        }
    }

    static let codes = Set(AdapterMetrics.exactCodes.map(String.init) + ["1xx", "2xx", "3xx", "4xx", "5xx", "other"])

    /// A sample line without its value.
    static func name(_ line: Substring) -> String {
        String(line[..<(line.lastIndex(of: " ") ?? line.endIndex)])
    }

    /// The labels of `name{a="b",c="d"} 1` (values contain no quotes here).
    static func labels(_ line: Substring) -> [String: String] {
        guard let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { return [:] }
        var labels: [String: String] = [:]
        for pair in line[line.index(after: open)..<close].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
        }
        return labels
    }

    @Test func theServedVersionsAreTheLabelledOnes() {
        #expect(AdapterMetrics.apiVersions == Set(MetricsAPIVersion.allCases.map(\.rawValue)))
    }

    @Test(arguments: [
        ("/apis/x/" + String(repeating: "v", count: 9000), "other", "other"),
        ("/apis/custom.metrics.k8s.io/v9/namespaces/a/pods/x/m", "other", "other"),
        ("/apis/custom.metrics.k8s.io/v1beta1", "discovery", "custom.metrics.k8s.io/v1beta1"),
        ("/apis/custom.metrics.k8s.io/%76%31beta2/namespaces/a/pods/x/m", "object", "custom.metrics.k8s.io/v1beta2"),
        ("/apis/external.metrics.k8s.io/v1beta1/namespaces/a/q", "external", "external.metrics.k8s.io/v1beta1"),
        ("/apis/random-group", "discovery", ""),
        ("/apisx/custom.metrics.k8s.io/v1beta1", "other", ""),
        ("/" + String(repeating: "p", count: 9000), "other", ""),
    ])
    func classifiesIntoClosedSets(path: String, kind: String, version: String) {
        let labels = RequestMetricsMiddleware<BasicRequestContext>.classify(path)
        #expect(labels.kind == kind)
        #expect(labels.version == version)
    }
}
