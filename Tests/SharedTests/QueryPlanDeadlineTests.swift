import Foundation
import Synchronization
import Testing

@testable import Shared

/// A Data API backend whose every page is full (so a segmented plan keeps paging) and
/// takes `latency`, honouring the timeout it is given as the real client does.
private final class SlowFullPages: SysdigQuerying {
    let latency: Duration
    private let timeouts = Mutex<[Duration]>([])

    init(latency: Duration) {
        self.latency = latency
    }

    /// The timeout each page was sent with.
    var recorded: [Duration] { timeouts.withLock { $0 } }

    func queryData(_ request: SysdigDataRequest, timeout: Duration) async throws -> SysdigDataResponse {
        timeouts.withLock { $0.append(timeout) }
        try await Task.sleep(for: min(latency, timeout))
        if timeout < latency { throw SysdigError(code: .timeout, message: "simulated deadline") }
        let rows = (0..<SysdigQueryPlan.pageSize).map { SysdigDataResponse.Sample(t: 0, d: [.string("pod-\($0)"), .number(1)]) }
        return SysdigDataResponse(data: rows, start: 0, end: 0)
    }

    func metricDescriptors(timeout: Duration) async throws -> [SysdigMetricDescriptor] { [] }
}

/// Issue 7: an answer must not take longer than the Sysdig timeout. A segmented query
/// fetches page after page; they share one deadline instead of each getting a new one.
@Suite struct QueryPlanDeadlineTests {
    @Test func pagesShareOneDeadline() async throws {
        let spec = MappingSpec(
            metricName: "rps", sysdig: SysdigBackendSpec(metric: "net.http.request.count"),
            objects: [ObjectTarget(resource: "pods")])
        let compiled = try CompiledMapping.compile(
            MetricMapping(kind: .namespaced, metadata: ObjectMeta(name: "m", namespace: "shop"), spec: spec)).get()
        let pods = try #require(KubeResource.lookup("pods"))
        let plan = try QueryTranslator().plan(
            for: MetricQuery(alias: "rps", target: .selector(resource: pods, namespace: "shop", selector: LabelSelector())),
            mapping: compiled)
        let backend = SlowFullPages(latency: .milliseconds(150))
        let timeout = Duration.milliseconds(400)
        let start = ContinuousClock.now
        let error = await #expect(throws: SysdigError.self) { _ = try await plan.execute(using: backend, timeout: timeout) }
        let elapsed = ContinuousClock.now - start
        #expect(error?.code == .timeout)
        let sent = backend.recorded
        // Each page gets what is left, never a fresh full timeout; at most three fit.
        #expect(sent.first.map { $0 <= timeout } == true)
        #expect(sent.count <= 3, "\(sent)")
        #expect(zip(sent, sent.dropFirst()).allSatisfy { $0 > $1 }, "\(sent)")
        // Loose (a loaded 2-core machine): the plan ends near its 400 ms deadline, not after
        // 100 pages of 150 ms (15 s); the page count above is the exact check.
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }
}
