import Foundation
import Testing

/// `sysdig-adapter-bench` (hack/bench/run's driver) still runs and prints the JSON
/// hack/bench/run reads: a tiny reconcile run (10 mappings, 3 events) in Kubernetes mode,
/// and a tiny uncached run (20 sequential queries with the cache off).
/// Only the shape and the outcome are checked; the timings are benchmarks, not tests.
@Suite struct BenchDriverTests {
    static var benchPath: String? {
        guard let adapter = AdapterBinary.path else { return nil }
        let path = URL(fileURLWithPath: adapter).deletingLastPathComponent().appendingPathComponent("sysdig-adapter-bench").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    @Test func reconcilePrintsTheFieldsTheReportUses() throws {
        let bench = try #require(Self.benchPath, "build everything first (hack/test.sh does)")
        let adapter = try AdapterBinary.require()
        let result = try runProcess(bench, ["reconcile", "--mappings", "10", "--events", "3", "--adapter", adapter])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "not JSON: \(result.stdout)")
        #expect(json["benchmark"] as? String == "reconcile")
        #expect(json["mappings"] as? Int == 10)
        #expect(json["eventsNotServed"] as? Int == 0)
        #expect(json["adapterExitStatus"] as? Int == 0)
        #expect((json["readySeconds"] as? Double ?? 0) > 0)
        #expect((json["rssReadyMiB"] as? Double ?? 0) > 0)
        let served = try #require(json["eventToServedMs"] as? [String: Any])
        #expect(served["count"] as? Int == 3)
        for key in ["p50", "p99", "max"] { #expect(served[key] is Double || served[key] is Int, "\(key)") }
        #expect((json["newPathFirstRequestMs"] as? [String: Any])?["count"] as? Int == 3)
        // The adapter's own reconcile histogram, scraped from /metrics.
        let histogram = try #require(json["adapterReconcileDuration"] as? [String: Any])
        #expect((histogram["count"] as? Int ?? 0) >= 1)
    }

    @Test func uncachedSendsOneSysdigRequestPerQuery() throws {
        let bench = try #require(Self.benchPath, "build everything first (hack/test.sh does)")
        let adapter = try AdapterBinary.require()
        let result = try runProcess(bench, ["uncached", "--requests", "20", "--warmup", "5", "--adapter", adapter])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "not JSON: \(result.stdout)")
        #expect(json["benchmark"] as? String == "uncached")
        #expect(json["requests"] as? Int == 20)
        // Cache off: every by-name query reached the simulator once.
        #expect(json["adapterSysdigRequests"] as? Int == 20)
        #expect(json["non200Answers"] as? Int == 0)
        #expect(json["adapterExitStatus"] as? Int == 0)
        for side in ["adapterMs", "simulatorMs"] {
            let summary = try #require(json[side] as? [String: Any], "\(side)")
            #expect(summary["count"] as? Int == 20)
            #expect((summary["min"] as? Double ?? 0) > 0, "\(side)")
        }
        let added = try #require(json["addedMs"] as? [String: Any])
        for key in ["p50", "p99", "pairedP50"] { #expect(added[key] is Double || added[key] is Int, "\(key)") }
    }
}
