import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import TestSupport

/// The legitimate caller during an attack: kube-apiserver's aggregator proxying an HPA's
/// metric request. It presents the front-proxy client certificate (signed by the
/// request-header CA, CN `front-proxy-client`) with `X-Remote-User` / `X-Remote-Group`, on
/// one keep-alive connection (a new one only if the adapter closes it), and polls one
/// custom metric sequentially, `interval` after each answer.
///
/// A second, slower probe sends the same request on a new connection each time
/// (`Connection: close`), as an aggregator replica or a client whose connection was
/// dropped must: it shows whether a new legitimate connection still gets in during an attack.
///
/// Both run entirely on an event loop thread of their own (futures, no Swift tasks), so the
/// attackers' tasks in the same process do not delay their timing.
final class AttackLegitimateClient: Sendable {
    /// Which part of an attack run a request was sent in; `round` counts attack rounds from 1.
    enum Phase: Hashable, Sendable {
        case baseline
        case attack(round: Int)
        case settle(round: Int)
    }

    /// The two probes.
    enum Probe: Sendable {
        /// Every `interval` on the kept-alive connection (the measured client).
        case keepAlive
        /// Every `newConnectionInterval` on a new connection.
        case newConnection
    }

    /// One request.
    struct Sample: Sendable {
        var phase: Phase
        var probe: Probe
        var milliseconds: Double
        /// nil for a 200; the status code or the transport error otherwise.
        var failure: String?
    }

    /// The HPA controller's identity as the aggregator forwards it.
    static let user = "system:serviceaccount:kube-system:horizontal-pod-autoscaler"
    static let groups = ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]

    private struct State {
        var phase = Phase.baseline
        var samples: [Sample] = []
        var stopped = false
        var polling = false
        /// Pollers still running after `stopped` was set.
        var running = 0
    }

    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private let client: HTTPClient
    private let newConnections: HTTPClient
    private let request: HTTPClient.Request
    private let closingRequest: HTTPClient.Request
    private let base: String
    private let headers: HTTPHeaders
    private let interval: TimeAmount
    private let newConnectionInterval: TimeAmount
    private let timeout: TimeAmount
    private let state = Mutex(State())
    private let stoppedPromise: EventLoopPromise<Void>

    /// A client for `https://127.0.0.1:port/path`, presenting `identity`.
    init(
        port: Int, path: String, identity: TestChain, interval: Duration, newConnectionInterval: Duration = .seconds(1),
        timeout: Duration = .seconds(5)
    ) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        var configuration = HTTPClient.Configuration(tlsConfiguration: try identity.clientTLS())
        configuration.httpVersion = .http1Only
        // One connection, kept alive as long as the adapter allows (the aggregator's transport).
        configuration.connectionPool = .init(idleTimeout: .seconds(600), concurrentHTTP1ConnectionsPerHostSoftLimit: 1)
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        newConnections = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        var headers = HTTPHeaders()
        headers.add(name: "X-Remote-User", value: Self.user)
        for group in Self.groups { headers.add(name: "X-Remote-Group", value: group) }
        headers.add(name: "Accept", value: "application/json")
        base = "https://127.0.0.1:\(port)"
        self.headers = headers
        request = try HTTPClient.Request(url: base + path, method: .GET, headers: headers)
        var closing = headers
        closing.add(name: "Connection", value: "close")
        closingRequest = try HTTPClient.Request(url: base + path, method: .GET, headers: closing)
        self.interval = .nanoseconds(Int64(interval.milliseconds * 1e6))
        self.newConnectionInterval = .nanoseconds(Int64(newConnectionInterval.milliseconds * 1e6))
        self.timeout = .nanoseconds(Int64(timeout.milliseconds * 1e6))
        stoppedPromise = loop.makePromise()
    }

    /// The phase requests sent from now on are counted in.
    func enter(_ phase: Phase) {
        state.withLock { $0.phase = phase }
    }

    /// One request now, outside the polling loop (warm-up); true for a 200.
    func probe() async -> Bool {
        let response = try? await client.execute(request: request, eventLoop: .delegate(on: loop), deadline: .now() + timeout).get()
        return response?.status == .ok
    }

    /// The body of `path` fetched with the same identity and connection (e.g. `/metrics`),
    /// outside the samples; nil unless 200.
    func fetch(_ path: String) async -> String? {
        guard let request = try? HTTPClient.Request(url: base + path, method: .GET, headers: headers),
            let response = try? await client.execute(request: request, eventLoop: .delegate(on: loop), deadline: .now() + timeout).get(),
            response.status == .ok, var body = response.body
        else { return nil }
        return body.readString(length: body.readableBytes)
    }

    /// Starts both probes (each sequential, its interval after each answer) until ``stop()``.
    func start() {
        let start = state.withLock { state -> Bool in
            guard !state.polling, !state.stopped else { return false }
            state.polling = true
            state.running = 2
            return true
        }
        if start {
            loop.execute {
                self.poll(.keepAlive)
                self.poll(.newConnection)
            }
        }
    }

    /// Stops polling and waits for the requests in flight; closes the connections.
    func stop() async {
        let wasPolling = state.withLock { state -> Bool in
            state.stopped = true
            return state.polling
        }
        if wasPolling {
            try? await stoppedPromise.futureResult.get()
        } else {
            stoppedPromise.succeed()
        }
        try? await client.shutdown()
        try? await newConnections.shutdown()
        try? await group.shutdownGracefully()
    }

    /// The samples of `probe` in `phase`.
    func samples(_ phase: Phase, _ probe: Probe = .keepAlive) -> [Sample] {
        state.withLock { $0.samples.filter { $0.phase == phase && $0.probe == probe } }
    }

    private func poll(_ probe: Probe) {
        let phase = state.withLock { $0.phase }
        let sent = NIODeadline.now()
        let (client, request, interval) = switch probe {
        case .keepAlive: (self.client, self.request, self.interval)
        case .newConnection: (newConnections, closingRequest, newConnectionInterval)
        }
        client.execute(request: request, eventLoop: .delegate(on: loop), deadline: sent + timeout).whenComplete { result in
            let elapsed = Double((NIODeadline.now() - sent).nanoseconds) / 1e6
            let failure: String?
            switch result {
            case .success(let response):
                failure = response.status == .ok ? nil : String(response.status.code)
            case .failure(let error):
                failure = Self.describe(error)
            }
            let (stopped, last) = self.state.withLock { state -> (Bool, Bool) in
                state.samples.append(Sample(phase: phase, probe: probe, milliseconds: elapsed, failure: failure))
                if state.stopped { state.running -= 1 }
                return (state.stopped, state.running == 0)
            }
            if stopped {
                if last { self.stoppedPromise.succeed() }
            } else {
                self.loop.scheduleTask(in: interval) { self.poll(probe) }
            }
        }
    }

    /// A short name for a transport error (for the error-kind counts).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            return "\(error)".prefix { $0 != "(" }.description
        }
        return String(describing: type(of: error))
    }
}

/// Latency and errors of the legitimate client in one phase.
struct LegitimateSummary: Codable, Sendable {
    var requests: Int
    var errors: Int
    /// Error kinds (status code or transport error) and how many.
    var errorKinds: [String: Int]
    /// Every request, failed ones included (a failure's time is until its answer or timeout).
    var latencyMs: LatencySummary

    init(_ samples: [AttackLegitimateClient.Sample]) {
        requests = samples.count
        let failures = samples.compactMap(\.failure)
        errors = failures.count
        errorKinds = failures.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        latencyMs = LatencySummary(samples.map(\.milliseconds))
    }
}
