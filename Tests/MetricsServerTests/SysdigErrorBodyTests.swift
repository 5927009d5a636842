import AsyncHTTPClient
import Foundation
import Logging
import Shared
import Testing

@testable import MetricsServer
import SysdigSimulator

/// An error answer's message: a stable text, then ` (ref <8 hex digits>)`.
enum StableErrorMessage {
    /// Whether `message` is `expected` followed by a reference.
    static func matches(_ message: String?, _ expected: String) -> Bool {
        guard let message, let ref = ref(in: message) else { return false }
        return message == "\(expected) (ref \(ref))"
    }

    /// The reference at the end of `message`, if it ends with one.
    static func ref(in message: String) -> String? {
        guard message.hasSuffix(")"), let open = message.range(of: " (ref ", options: .backwards) else { return nil }
        let ref = message[open.upperBound...].dropLast()
        guard ref.count == 8, ref.allSatisfy(\.isHexDigit) else { return nil }
        return String(ref)
    }
}

/// Issue 13 §1g: what Sysdig says never reaches API clients. Each failed Sysdig query is
/// answered with one stable message per class and a reference; the details, scrubbed of
/// the token, are logged under that reference. Both backends.
@Suite("Sysdig error bodies") struct SysdigErrorBodyTests {
    static let token = "sdc-errors-" + UUID().uuidString.lowercased()

    @Test(arguments: [
        (SysdigError(code: .unavailable, message: "Sysdig at x answered with HTTP 502: upstream <detail>", httpStatus: 502),
         503, "Sysdig is unavailable; try again later"),
        (SysdigError(code: .rateLimited, message: "Sysdig at x answered with HTTP 429: slow down <detail>", httpStatus: 429),
         503, "Sysdig is rate-limiting the adapter; try again later"),
        (SysdigError(code: .rateLimited, message: "the local limiter <detail>"),
         503, "the adapter's Sysdig request budget is exhausted; try again later"),
        (SysdigError(code: .timeout, message: "Sysdig at x <detail> did not answer"),
         503, "Sysdig did not answer in time; try again later"),
        (SysdigError(code: .unauthorized, message: "Bad credentials <detail>", httpStatus: 401),
         500, "the Sysdig query failed; see the adapter's log"),
        (SysdigError(code: .badRequest, message: "bad_data: <detail>", httpStatus: 400),
         500, "the Sysdig query failed; see the adapter's log"),
        (SysdigError(code: .badResponse, message: "not JSON: <detail>", httpStatus: 200),
         500, "the Sysdig query failed; see the adapter's log"),
    ])
    func eachClassHasOneStableMessage(error: SysdigError, status: Int, message: String) {
        let answer = MetricsProvider.status(for: error, ref: "0a1b2c3d")
        #expect(answer.message == message + " (ref 0a1b2c3d)")
        #expect(MetricsAPIRoutes.status(for: answer).code == status)
        #expect(!answer.message.contains("<detail>"))
    }

    @Test func referencesAreRandomHex() {
        let refs = (0..<64).map { _ in MetricsProvider.correlationID() }
        #expect(refs.allSatisfy { $0.count == 8 && $0.allSatisfy(\.isHexDigit) })
        #expect(Set(refs).count > 60)
    }

    /// Data API: Sysdig's 503 body echoes the token and says something specific.
    @Test func dataAPIOutageTextStaysInTheLogScrubbed() async throws {
        let logs = LogCapture()
        let snapshot = try MetricsAPIHarness.snapshot(MetricsAPIFixtures.mappings, version: 1)
        try await Self.withAdapter(snapshot, world: MetricsAPIFixtures.world, now: MetricsAPIHarness.now, logs: logs) {
            simulator, get in
            simulator.inject(.status(503, body: #"{"message":"backend eu-1 down for \#(Self.token)"}"#, retryAfter: "4"))
            let reply = try await get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1/http_requests")
            #expect(reply.status == 503)
            let message = try #require(Self.message(reply.body))
            #expect(StableErrorMessage.matches(message, "Sysdig is unavailable; try again later"), "\(message)")
            #expect(!reply.body.contains("eu-1"))
            #expect(reply.body.contains(#""retryAfterSeconds":4"#))
            try Self.expectLogged(ref: StableErrorMessage.ref(in: message), detail: "backend eu-1 down for <redacted>", logs)
        }
    }

    /// PromQL: an error answer (HTTP 200, `"status":"error"`) and warnings echoing the token.
    @Test func promQLErrorTextIsScrubbedInTheLogAndNotAnswered() async throws {
        let logs = LogCapture()
        let snapshot = ConfigSnapshot.build(version: 1, mappings: PromQLEndToEndTests.mappings().map { ($0, nil) })
        try await Self.withAdapter(
            snapshot, world: SysdigSimulator.demo(clusterName: "prod"), now: PromQLEndToEndTests.now, logs: logs
        ) { simulator, get in
            let path = "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/cpu_usage"
            simulator.inject(.status(200, body: #"{"status":"error","errorType":"execution","error":"token \#(Self.token) is not allowed here"}"#))
            let reply = try await get(path)
            #expect(reply.status == 500)
            let message = try #require(Self.message(reply.body))
            #expect(StableErrorMessage.matches(message, "Internal error occurred: the Sysdig query failed; see the adapter's log"), "\(message)")
            #expect(!reply.body.contains("execution"))
            #expect(!reply.body.contains("not allowed"))
            try Self.expectLogged(ref: StableErrorMessage.ref(in: message), detail: "execution: token <redacted> is not allowed here", logs)

            simulator.inject(.status(200, body: #"{"status":"success","warnings":["slow for \#(Self.token)"],"data":{"resultType":"vector","result":[{"metric":{"kube_workload_name":"web"},"value":[1700000000,"3"]}]}}"#))
            #expect(try await get(path.replacingOccurrences(of: "/web/", with: "/api/")).status == 200)
            #expect(logs.all.contains { $0.contains("slow for <redacted>") })
            #expect(!logs.all.contains { $0.contains(Self.token) }, "\(logs.all.filter { $0.contains(Self.token) })")
        }
    }

    /// Two failures get two references.
    @Test func eachFailureHasItsOwnReference() async throws {
        let snapshot = try MetricsAPIHarness.snapshot(MetricsAPIFixtures.mappings, version: 1)
        try await Self.withAdapter(snapshot, world: MetricsAPIFixtures.world, now: MetricsAPIHarness.now, logs: LogCapture()) {
            simulator, get in
            var refs: [String] = []
            for pod in ["web-1", "web-2"] {
                simulator.inject(.status(502))
                let reply = try await get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/\(pod)/http_requests")
                refs.append(try #require(Self.message(reply.body).flatMap(StableErrorMessage.ref(in:))))
            }
            #expect(Set(refs).count == 2)
        }
    }

    /// The log line carrying `ref` holds the scrubbed detail; no line holds the token.
    static func expectLogged(ref: String?, detail: String, _ logs: LogCapture) throws {
        let ref = try #require(ref)
        let lines = logs.all.filter { $0.contains(ref) }
        #expect(lines.count == 1, "\(logs.all)")
        #expect(lines.first?.contains(detail) == true, "\(lines)")
        #expect(!logs.all.contains { $0.contains(token) }, "\(logs.all.filter { $0.contains(token) })")
    }

    static func message(_ body: String) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["message"] as? String
    }

    typealias Get = @Sendable (String) async throws -> LiveServer.Reply

    /// A real `AdapterServer` over HTTPS and a real `SysdigClient`, both logging into `logs`.
    static func withAdapter(
        _ snapshot: ConfigSnapshot, world: SysdigSimulator.World, now: Date, logs: LogCapture,
        _ body: @Sendable (SysdigSimulator, Get) async throws -> Void
    ) async throws {
        let logger = logs.logger("sysdig-error-bodies")
        let simulator = SysdigSimulator(token: token, world: world, clock: { now })
        try await simulator.withRunning { sysdigPort in
            let client = SysdigClient(
                baseURL: "http://127.0.0.1:\(sysdigPort)", token: StaticSysdigToken(token), httpClient: .shared,
                logger: logger, now: { now })
            let store = ConfigStore()
            store.publish(snapshot)
            var options = AdapterServerOptions()
            options.bindAddress = "127.0.0.1"
            options.port = 0
            options.provider = MetricsProvider.Configuration(clusterName: "prod")
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let server = try AdapterServer(
                store: store, sysdig: client, options: options, logger: logger,
                onServerRunning: { port in continuation.yield(port) })
            let caPEM = try #require(server.certificates.current.caCertificatePEM)
            try await LiveServer.serve(server.application, ports: ports, logger: logger) { port in
                try await body(simulator) { path in
                    let reply = try await LiveServer.get("https://127.0.0.1:\(port)\(path)", trusting: caPEM)
                    #expect(!reply.body.contains(token), "an answer carried the Sysdig token")
                    return reply
                }
            }
        }
    }
}
