import AsyncHTTPClient
import Foundation
import Logging
import Testing

@testable import Shared
@testable import SysdigSimulator

/// The real `SysdigClient` against `SysdigSimulator` over 127.0.0.1 sockets.
@Suite("SysdigClient against the simulator")
struct SysdigClientTests {
    static let token = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Runs `body` with a simulator on an ephemeral port and a client pointed at it.
    func withSimulator(
        world: SysdigSimulator.World = SysdigSimulator.demo(),
        clientToken: String = Self.token,
        _ body: (SysdigSimulator, SysdigClient) async throws -> Void
    ) async throws {
        let simulator = SysdigSimulator(token: Self.token, world: world, clock: { Self.now })
        try await simulator.withRunning { port in
            let client = SysdigClient(
                baseURL: "http://127.0.0.1:\(port)/", token: StaticSysdigToken(clientToken),
                httpClient: .shared, logger: Logger(label: "test"))
            try await body(simulator, client)
        }
    }

    func expectTokenFree(_ error: SysdigError?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else { return }
        #expect(!String(describing: error).contains(Self.token), sourceLocation: sourceLocation)
        #expect(!String(reflecting: error).contains(Self.token), sourceLocation: sourceLocation)
        #expect(!error.message.contains(Self.token), sourceLocation: sourceLocation)
    }

    static func podRequest(paging: SysdigDataRequest.Paging? = nil, sampling: Int? = nil) -> SysdigDataRequest {
        SysdigDataRequest(
            last: 600, sampling: sampling,
            metrics: [
                .init(id: "kubernetes.pod.name"),
                .init(id: "net.http.request.count", aggregations: .init(time: "timeAvg", group: "avg")),
            ],
            filter: "kubernetes.namespace.name = 'shop' and kubernetes.deployment.name in ('web','api')",
            dataSourceType: "container", paging: paging)
    }

    @Test func queryByNameSendsTheDocumentedRequest() async throws {
        try await withSimulator { simulator, client in
            let request = SysdigDataRequest(
                last: 60,
                metrics: [.init(id: "net.http.request.count", aggregations: .init(time: "timeAvg", group: "sum"))],
                filter: "kubernetes.pod.name = 'web-5d8f6-abc12'")
            let response = try await client.queryData(request, timeout: .seconds(10))
            #expect(response.data.count == 1)
            #expect(response.data.first?.t == nil)
            guard case .number(let value)? = response.data.first?.d.first else {
                Issue.record("expected one number, got \(response)")
                return
            }
            #expect(value > 0)
            #expect(response.end == 1_700_000_000)
            #expect(response.start == 1_700_000_000 - 60)

            let recorded = try #require(simulator.requests.first)
            #expect(recorded.method == "POST")
            #expect(recorded.path == "/api/data")
            #expect(recorded.authorized)
            #expect(recorded.headers["content-type"] == "application/json")
            #expect(recorded.headers["accept"] == "application/json")
            #expect(recorded.headers["x-sysdig-product"] == "SDC")
            #expect(recorded.body == (try request.encodedBody()))
        }
    }

    @Test func segmentedQueryReturnsEveryRequestedSegment() async throws {
        let world = SysdigSimulator.World(
            entities: (1...25).map { ["kubernetes.namespace.name": "shop", "kubernetes.pod.name": "web-\($0)"] },
            metrics: [
                .init(id: "net.http.request.count") { labels, _ in
                    labels["kubernetes.pod.name"].flatMap { Double($0.dropFirst(4)) }
                }
            ])
        try await withSimulator(world: world) { _, client in
            let request = SysdigDataRequest(
                last: 600,
                metrics: [
                    .init(id: "kubernetes.pod.name"),
                    .init(id: "net.http.request.count", aggregations: .init(time: "timeAvg", group: "avg")),
                ],
                filter: "kubernetes.namespace.name = 'shop'", paging: .init(from: 0, to: 99))
            let all = try await client.queryData(request, timeout: .seconds(10))
            #expect(all.data.count == 25)
            #expect(all.data.first?.d == [.string("web-25"), .number(25)])

            var unpaged = request
            unpaged.paging = nil
            let top = try await client.queryData(unpaged, timeout: .seconds(10))
            #expect(top.data.count == 10)
            #expect(top.data.map(\.d.last) == (16...25).reversed().map { SysdigValue.number(Double($0)) as SysdigValue? })
        }
    }

    @Test func sampledQueryHasOneEntryPerSlotAndSegment() async throws {
        try await withSimulator { _, client in
            let response = try await client.queryData(
                Self.podRequest(paging: .init(from: 0, to: 99), sampling: 60), timeout: .seconds(10))
            #expect(response.data.count == 10 * 6)
            #expect(Set(response.data.compactMap(\.t)).count == 10)
            #expect(response.data.allSatisfy { $0.t != nil && $0.d.count == 2 })
        }
    }

    @Test func wrongTokenIsUnauthorized() async throws {
        try await withSimulator(clientToken: "not-the-token") { _, client in
            let error = await #expect(throws: SysdigError.self) {
                try await client.queryData(Self.podRequest(), timeout: .seconds(10))
            }
            #expect(error?.code == .unauthorized)
            #expect(error?.httpStatus == 401)
            #expect(error?.message.contains("Bad credentials") == true)
            expectTokenFree(error)
        }
    }

    @Test func rateLimitedCarriesRetryAfter() async throws {
        try await withSimulator { simulator, client in
            simulator.inject(.rateLimited(retryAfter: "7"))
            let error = await #expect(throws: SysdigError.self) {
                try await client.queryData(Self.podRequest(), timeout: .seconds(10))
            }
            #expect(error?.code == .rateLimited)
            #expect(error?.httpStatus == 429)
            #expect(error?.retryAfter == .seconds(7))
            expectTokenFree(error)
        }
    }

    @Test func serverErrorIsUnavailableAndScrubsAnEchoedToken() async throws {
        try await withSimulator { simulator, client in
            let echo = #"{"errors":[{"reason":"Internal error","message":"token \#(Self.token) failed"}]}"#
            simulator.inject(.status(503, body: echo, retryAfter: "3"))
            let error = await #expect(throws: SysdigError.self) {
                try await client.queryData(Self.podRequest(), timeout: .seconds(10))
            }
            #expect(error?.code == .unavailable)
            #expect(error?.httpStatus == 503)
            #expect(error?.retryAfter == .seconds(3))
            #expect(error?.message.contains("Internal error: token <redacted> failed") == true)
            expectTokenFree(error)
        }
    }

    @Test func slowAnswerTimesOutPromptly() async throws {
        try await withSimulator { simulator, client in
            simulator.inject(.delay(.seconds(60)))
            let started = ContinuousClock.now
            let error = await #expect(throws: SysdigError.self) {
                try await client.queryData(Self.podRequest(), timeout: .milliseconds(500))
            }
            // The simulator would answer after 60 s; the client must give up near its 0.5 s
            // deadline. The bound is loose so a loaded 2-core machine cannot fail it.
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(error?.code == .timeout)
            expectTokenFree(error)
        }
    }

    @Test(arguments: [SysdigSimulator.Fault.garbageBody, .truncatedBody])
    func unreadableBodyIsBadResponse(fault: SysdigSimulator.Fault) async throws {
        try await withSimulator { simulator, client in
            simulator.inject(fault)
            let error = await #expect(throws: SysdigError.self) {
                try await client.queryData(Self.podRequest(), timeout: .seconds(10))
            }
            #expect(error?.code == .badResponse)
            expectTokenFree(error)
        }
    }

    @Test func unknownMetricIsBadRequestWithSysdigsMessage() async throws {
        try await withSimulator { _, client in
            let request = SysdigDataRequest(
                last: 60, metrics: [.init(id: "x", aggregations: .init(time: "avg", group: "avg"))])
            let error = await #expect(throws: SysdigError.self) {
                try await client.queryData(request, timeout: .seconds(10))
            }
            #expect(error?.code == .badRequest)
            #expect(error?.httpStatus == 400)
            #expect(error?.message.contains("Metric not found: 'x' is not a Sysdig Cloud metric") == true)
            expectTokenFree(error)
        }
    }

    @Test func closedConnectionIsUnavailable() async throws {
        try await withSimulator { simulator, client in
            simulator.inject(.closeConnection)
            let error = await #expect(throws: SysdigError.self) {
                try await client.queryData(Self.podRequest(), timeout: .seconds(10))
            }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("closed the connection") == true)
            expectTokenFree(error)
        }
    }

    @Test func refusedConnectionIsUnavailable() async throws {
        let simulator = SysdigSimulator(token: Self.token, world: SysdigSimulator.demo())
        let port = try await simulator.withRunning { $0 }
        let client = SysdigClient(
            baseURL: "http://127.0.0.1:\(port)", token: StaticSysdigToken(Self.token),
            httpClient: .shared, logger: Logger(label: "test"))
        let started = ContinuousClock.now
        let error = await #expect(throws: SysdigError.self) {
            try await client.queryData(Self.podRequest(), timeout: .seconds(1))
        }
        #expect(ContinuousClock.now - started < .seconds(15))  // loose: a loaded machine must not fail it
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("Sysdig at 127.0.0.1 is not reachable") == true)
        expectTokenFree(error)
    }

    @Test(arguments: [2345, 2000, 3])
    func descriptorsArePagedUntilAShortPage(count: Int) async throws {
        let metrics = (0..<count).map { index in
            SysdigSimulator.World.Metric(id: "sim.metric.\(index)") { _, _ in 1 }
        }
        try await withSimulator(world: .init(entities: [], metrics: metrics)) { simulator, client in
            let descriptors = try await client.metricDescriptors(timeout: .seconds(20))
            #expect(descriptors.count == count)
            #expect(descriptors.last?.id == "sim.metric.\(count - 1)")
            #expect(descriptors.first?.timeAggregations.contains("rateOfChange") == true)
            let offsets = simulator.requests.map { $0.query ?? "" }
            #expect(offsets == (0...(count / 1000)).map { "offset=\($0 * 1000)&limit=1000" })
        }
    }
}
