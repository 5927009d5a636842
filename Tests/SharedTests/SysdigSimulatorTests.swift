import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import Shared
@testable import SysdigSimulator

/// The simulator on its own: validation, aggregation math, and its HTTP surface.
@Suite("Sysdig simulator")
struct SysdigSimulatorTests {
    static let t0 = 1_700_000_000
    static let now = Date(timeIntervalSince1970: TimeInterval(t0))

    /// p1..p4 with constant `m` values 1, 2, 6, 10; `ramp` rises 2/s on p1 only.
    static let tiny = SysdigSimulator.World(
        entities: [
            ["ns": "a", "pod": "p1", "app": "x"],
            ["ns": "a", "pod": "p2", "app": "x"],
            ["ns": "b", "pod": "p3", "app": "y"],
            ["ns": "b", "pod": "p4"],
        ],
        metrics: [
            .init(id: "m") { labels, _ in ["p1": 1, "p2": 2, "p3": 6, "p4": 10][labels["pod"] ?? ""] },
            .init(id: "ramp", timeAggregations: ["avg", "sum", "min", "max", "rateOfChange"]) { labels, at in
                labels["pod"] == "p1" ? (at.timeIntervalSince1970 - TimeInterval(t0)) * 2 : nil
            },
        ])

    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }

    static func value(_ id: String, _ time: String, _ group: String) -> [String: Any] {
        ["id": id, "aggregations": ["time": time, "group": group]]
    }

    func answer(_ object: [String: Any]) throws -> [[String: Any]] {
        let query = try SimulatedDataQuery(json: Self.json(object), world: Self.tiny, now: Self.now)
        return SimulatedDataEvaluator(world: Self.tiny).answer(query)["data"] as? [[String: Any]] ?? []
    }

    func rows(_ data: [[String: Any]]) -> [[String]] {
        data.map { entry in (entry["d"] as? [Any] ?? []).map { $0 is NSNull ? "null" : "\($0)" } }
    }

    @Test(arguments: [
        ("sum", [["null", "10.0"], ["y", "6.0"], ["x", "3.0"]]),
        ("avg", [["null", "10.0"], ["y", "6.0"], ["x", "1.5"]]),
        ("max", [["null", "10.0"], ["y", "6.0"], ["x", "2.0"]]),
        ("min", [["x", "1.0"], ["y", "6.0"], ["null", "10.0"]]),
    ])
    func groupAggregatesPerSegmentAndRanks(group: String, expected: [[String]]) throws {
        let data = try answer(["last": 60, "metrics": [["id": "app"], Self.value("m", "timeAvg", group)]])
        #expect(rows(data) == expected)
        #expect(data.allSatisfy { $0["t"] == nil })
    }

    @Test func filterAndWholeScopeAverage() throws {
        #expect(rows(try answer(["last": 60, "metrics": [Self.value("m", "avg", "avg")]])) == [["4.75"]])
        let scoped = try answer([
            "last": 60, "metrics": [Self.value("m", "avg", "max")], "filter": "ns = 'a' and not pod = 'p2'",
        ])
        #expect(rows(scoped) == [["1.0"]])
        #expect(try answer(["last": 60, "metrics": [Self.value("m", "avg", "max")], "filter": "ns = 'zzz'"]).isEmpty)
    }

    @Test(arguments: [
        ("avg", "-90.0"), ("sum", "-900.0"), ("min", "-180.0"), ("max", "0.0"), ("rateOfChange", "2.0"),
    ])
    func timeAggregatesOverTheWindow(time: String, expected: String) throws {
        let data = try answer(["last": 100, "metrics": [["id": "pod"], Self.value("ramp", time, "sum")]])
        #expect(rows(data) == [["p1", expected]])
    }

    @Test func samplingEmitsOneEntryPerSlotAlignedToTheSampling() throws {
        let data = try answer([
            "last": 600, "sampling": 60, "metrics": [["id": "pod"], Self.value("m", "avg", "avg")],
            "filter": "ns = 'a'",
        ])
        let times = data.compactMap { $0["t"] as? Int }
        #expect(data.count == 20)
        #expect(times.count == 20)
        #expect(times.max() == Self.t0 / 60 * 60)
        #expect(Set(times).count == 10)
        #expect(times.allSatisfy { $0.isMultiple(of: 60) })
    }

    @Test func pagingDefaultsToTheTopTenAndHonoursRanges() throws {
        let metrics: [Any] = [["id": "pod"], Self.value("m", "avg", "sum")]
        #expect(rows(try answer(["last": 60, "metrics": metrics, "paging": ["from": 1, "to": 2]])) == [
            ["p3", "6.0"], ["p2", "2.0"],
        ])
        var many = Self.tiny
        many.entities = (1...15).map { ["pod": "q\($0)"] }
        many.metrics = [.init(id: "m") { _, _ in 1 }]
        let query = try SimulatedDataQuery(
            json: Self.json(["last": 60, "metrics": metrics]), world: many, now: Self.now)
        #expect((SimulatedDataEvaluator(world: many).answer(query)["data"] as? [Any])?.count == 10)
    }

    @Test(arguments: [
        (#"{"last":60,"metrics":[{"metric":"m","aggregations":{"time":"avg","group":"avg"}}]}"#, "Bad request"),
        (#"{"metrics":[{"id":"m","aggregations":{"time":"avg","group":"avg"}}]}"#, "Bad request"),
        (#"{"last":60,"start":1,"end":2,"metrics":[{"id":"pod"}]}"#, "Bad request"),
        (#"{"last":60,"sampling":30,"metrics":[{"id":"pod"}]}"#, "Invalid sampling"),
        (#"{"last":7200,"sampling":10,"metrics":[{"id":"pod"}]}"#, "Invalid sampling"),
        (#"{"last":60,"metrics":[{"id":"nope","aggregations":{"time":"avg","group":"avg"}}]}"#, "Metric not found"),
        (#"{"last":60,"metrics":[{"id":"kubernetes.pod.name"}]}"#, "Metric not found"),
        (#"{"last":60,"metrics":[{"id":"m","aggregations":{"time":"Avg","group":"avg"}}]}"#, "Invalid aggregation"),
        (#"{"last":60,"metrics":[{"id":"m","aggregations":{"time":"avg","group":"none"}}]}"#, "Invalid aggregation"),
        (#"{"last":60,"metrics":[{"id":"pod"},{"id":"pod"}]}"#, "Bad request"),
        (#"{"last":60,"metrics":[]}"#, "Bad request"),
        (#"{"last":60,"metrics":[{"id":"pod"}],"filter":"pod = p1"}"#, "Invalid filter"),
        (#"{"last":60,"metrics":[{"id":"pod"}],"filter":"nolabel = 'p1'"}"#, "Invalid filter"),
        (#"{"last":60,"metrics":[{"id":"pod"}],"paging":{"from":5,"to":2}}"#, "Bad request"),
        (#"{"last":60,"metrics":[{"id":"pod"}],"dataSourceType":"pod"}"#, "Bad request"),
        (#"{"last":60,"metrics":[{"id":"pod"}],"foo":1}"#, "Bad request"),
        (#"{"last":-5,"metrics":[{"id":"pod"}]}"#, "Bad request"),
        (#"[1,2]"#, "Bad request"),
        (#"{"last":60,"metrics":[{"id":"pod"}"#, "Bad request"),
    ])
    func refusesWhatSysdigWouldRefuse(body: String, reason: String) {
        let error = #expect(throws: SimulatedDataQuery.Rejection.self) {
            try SimulatedDataQuery(json: Data(body.utf8), world: Self.tiny, now: Self.now)
        }
        #expect(error?.reason == reason)
    }

    @Test func httpSurfaceChecksTokenShapeAndRecordsRequests() async throws {
        let simulator = SysdigSimulator(token: "secret-token", world: Self.tiny, clock: { Self.now })
        try await simulator.withRunning { port in
            func post(_ body: String, token: String?) async throws -> (Int, [String: Any]) {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/data")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let bytes = try await response.body.collect(upTo: 1 << 20)
                let object = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]
                return (Int(response.status.code), object ?? [:])
            }
            let good = #"{"last":60,"metrics":[{"id":"m","aggregations":{"time":"avg","group":"sum"}}]}"#
            #expect(try await post(good, token: nil).0 == 401)
            #expect(try await post(good, token: "wrong").0 == 401)

            let (status, answer) = try await post(good, token: "secret-token")
            #expect(status == 200)
            #expect(answer["start"] as? Int == Self.t0 - 60)

            let (badStatus, error) = try await post(
                #"{"last":60,"metrics":[{"id":"x","aggregations":{"time":"avg","group":"avg"}}]}"#,
                token: "secret-token")
            #expect(badStatus == 400)
            let first = (error["errors"] as? [[String: Any]])?.first
            #expect(first?["message"] as? String == "'x' is not a Sysdig Cloud metric")
            #expect(first?["field"] as? String == "metrics")

            simulator.inject(.status(503), persistent: true)
            #expect(try await post(good, token: "secret-token").0 == 503)
            #expect(try await post(good, token: "secret-token").0 == 503)
            simulator.clearFaults()
            #expect(try await post(good, token: "secret-token").0 == 200)

            let recorded = await simulator.waitForRequests(count: 7)
            #expect(recorded.count == 7)
            #expect(recorded.map(\.authorized) == [false, false, true, true, true, true, true])
            #expect(recorded.allSatisfy { $0.headers["authorization"].map { !$0.contains("secret") } ?? true })
        }
    }

    @Test func demoWorldHasTheDocumentedShape() {
        let world = SysdigSimulator.demo(clusterName: "kind")
        let pods = world.entities.filter { $0["kubernetes.pod.name"] != nil }
        #expect(pods.count == 9)
        #expect(pods.filter { $0["kubernetes.deployment.name"] == "kuard" }.count == 3)
        #expect(pods.filter { $0["kubernetes.pod.label.app"] == "web" }.count == 4)
        #expect(pods.filter { $0["kubernetes.deployment.name"] == "api" }.allSatisfy { $0["kubernetes.service.name"] == nil })
        #expect(world.entities.compactMap { $0["rabbitmq.queue.name"] }.sorted() == ["emails", "orders", "payments"])
        #expect(world.entities.allSatisfy { $0["kubernetes.cluster.name"] == "kind" })
        let requests = world.metric("net.http.request.count")
        let a = requests?.value(pods[0], Self.now), b = requests?.value(pods[1], Self.now)
        #expect(a != nil && b != nil && a != b)
        #expect(requests?.value(pods[0], Self.now.addingTimeInterval(120)) != a)
    }
}
