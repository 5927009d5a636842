import Foundation

/// The soak's JSON result: traffic, the classification of every answer, and the
/// adapter's memory and descriptors over time.
struct SoakReport: Codable {
    /// One /proc reading.
    struct Sample: Codable, Sendable {
        var seconds: Double
        var rssMiB: Double?
        var openFileDescriptors: Int?
        var running: Bool
    }

    /// Start (after warm-up), end and extremes of one sampled quantity.
    struct Trend: Codable {
        var afterWarmup: Double?
        var end: Double?
        var min: Double?
        var max: Double?
        var growthPercent: Double?

        init(_ values: [Double?], warmupIndex: Int) {
            let present = values.compactMap { $0 }
            afterWarmup = values.indices.contains(warmupIndex) ? values[warmupIndex] : nil
            end = values.last ?? nil
            min = present.min()
            max = present.max()
            if let afterWarmup, let end, afterWarmup > 0 { growthPercent = (end - afterWarmup) / afterWarmup * 100 }
        }
    }

    var benchmark = "soak"
    var durationSeconds: Double
    var connections: Int
    var maxRateMeasured: Double
    var targetRate: Double
    var achievedRate: Double
    var totalRequests: Int
    var answersByCode: [String: Int]
    var expected: Int
    var expectedFaultAnswers: Int
    var expectedAbsentAlias: Int
    var unexpected: Int
    var unexpectedExamples: [String]
    var latencyMs: LatencySummary
    var cacheHitRatio: Double?
    var churnActions: [String: Int]
    var faultBursts: [SoakChurn.Burst]
    var faultGraceSeconds: Double
    /// Seconds into the paced run at which "after warm-up" is read.
    var warmupSampleSeconds: Double?
    var rssMiB: Trend
    var openFileDescriptors: Trend
    var adapterAlwaysRunning: Bool
    var adapterExitStatus: Int32
    var samples: [Sample]

    init(
        outcome: SoakLoad.Outcome, samples: [Sample], churn: SoakChurn, elapsed: Double, maxRate: Double,
        targetRate: Double, connections: Int, grace: Double, exitStatus: Int32, cacheHitRatio: Double?
    ) {
        durationSeconds = elapsed
        self.connections = connections
        maxRateMeasured = maxRate
        self.targetRate = targetRate
        achievedRate = Double(outcome.requests) / max(elapsed, 0.001)
        totalRequests = outcome.requests
        answersByCode = outcome.codes
        var fault = 0
        var absent = 0
        var examples: [String] = []
        var unexpectedCount = 0
        for odd in outcome.odd {
            if let status = odd.status, status == 404, odd.kind == "churned" {
                absent += 1
            } else if let status = odd.status, [500, 503].contains(status), odd.isStatusBody,
                churn.duringFaults(odd.sent, grace: grace)
            {
                fault += 1
            } else {
                unexpectedCount += 1
                if examples.count < 10 {
                    let at = (odd.sent - churn.origin).milliseconds / 1000
                    let what = odd.status.map { "HTTP \($0)" } ?? (odd.error ?? "error")
                    examples.append(String(format: "t=%.1fs ", at) + "\(odd.kind): \(what)")
                }
            }
        }
        expected = outcome.ok + fault + absent
        expectedFaultAnswers = fault
        expectedAbsentAlias = absent
        unexpected = unexpectedCount
        unexpectedExamples = examples
        latencyMs = LatencySummary(outcome.latenciesMs)
        self.cacheHitRatio = cacheHitRatio
        churnActions = churn.churnActions
        faultBursts = churn.faultBursts
        faultGraceSeconds = grace
        // Warm-up: caches, connection pools and allocator arenas settle in the first
        // tenth of the run (at least 10 s); growth is measured from there.
        let settle = max(10, elapsed / 10)
        let warmupIndex = samples.firstIndex { $0.seconds >= settle } ?? max(0, samples.count - 1)
        warmupSampleSeconds = samples.indices.contains(warmupIndex) ? samples[warmupIndex].seconds : nil
        rssMiB = Trend(samples.map(\.rssMiB), warmupIndex: warmupIndex)
        openFileDescriptors = Trend(samples.map { $0.openFileDescriptors.map(Double.init) }, warmupIndex: warmupIndex)
        adapterAlwaysRunning = samples.allSatisfy(\.running)
        adapterExitStatus = exitStatus
        self.samples = samples
    }
}
