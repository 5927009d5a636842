import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The legitimate caller during an attack: kube-apiserver's aggregator proxying an HPA's
/// metric request. It presents the front-proxy client certificate (signed by the
/// request-header CA, CN `front-proxy-client`) with `X-Remote-User` / `X-Remote-Group`, on
/// one keep-alive connection (a new one only if the adapter closes it), and polls one
/// custom metric sequentially, `interval` after each answer.
///
/// It runs entirely on an event loop thread of its own (futures, no Swift tasks), so the
/// attackers' tasks in the same process do not delay its timing.
final class AttackLegitimateClient: Sendable {
    /// Which part of an attack run a request was sent in.
    enum Phase: String, Sendable, Codable, CaseIterable {
        case baseline, attack, settle
    }

    /// One poll.
    struct Sample: Sendable {
        var phase: Phase
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
    }

    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private let client: HTTPClient
    private let request: HTTPClient.Request
    private let base: String
    private let headers: HTTPHeaders
    private let interval: TimeAmount
    private let timeout: TimeAmount
    private let state = Mutex(State())
    private let stoppedPromise: EventLoopPromise<Void>

    /// A client for `https://127.0.0.1:port/path`, presenting `identity`.
    init(port: Int, path: String, identity: AttackChain, interval: Duration, timeout: Duration = .seconds(5)) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        var configuration = HTTPClient.Configuration(tlsConfiguration: try identity.clientTLS())
        configuration.httpVersion = .http1Only
        // One connection, kept alive as long as the adapter allows (the aggregator's transport).
        configuration.connectionPool = .init(idleTimeout: .seconds(600), concurrentHTTP1ConnectionsPerHostSoftLimit: 1)
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        var headers = HTTPHeaders()
        headers.add(name: "X-Remote-User", value: Self.user)
        for group in Self.groups { headers.add(name: "X-Remote-Group", value: group) }
        headers.add(name: "Accept", value: "application/json")
        base = "https://127.0.0.1:\(port)"
        self.headers = headers
        request = try HTTPClient.Request(url: base + path, method: .GET, headers: headers)
        self.interval = .nanoseconds(Int64(interval.milliseconds * 1e6))
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

    /// Starts polling (back to back, `interval` apart) until ``stop()``.
    func start() {
        let start = state.withLock { state -> Bool in
            guard !state.polling, !state.stopped else { return false }
            state.polling = true
            return true
        }
        if start { loop.execute { self.poll() } }
    }

    /// Stops polling and waits for the request in flight; closes the connection.
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
        try? await group.shutdownGracefully()
    }

    /// The samples of `phase`.
    func samples(_ phase: Phase) -> [Sample] {
        state.withLock { $0.samples.filter { $0.phase == phase } }
    }

    private func poll() {
        let phase = state.withLock { $0.phase }
        let sent = NIODeadline.now()
        client.execute(request: request, eventLoop: .delegate(on: loop), deadline: sent + timeout).whenComplete { result in
            let elapsed = Double((NIODeadline.now() - sent).nanoseconds) / 1e6
            let failure: String?
            switch result {
            case .success(let response):
                failure = response.status == .ok ? nil : String(response.status.code)
            case .failure(let error):
                failure = Self.describe(error)
            }
            let stopped = self.state.withLock { state -> Bool in
                state.samples.append(Sample(phase: phase, milliseconds: elapsed, failure: failure))
                return state.stopped
            }
            if stopped {
                self.stoppedPromise.succeed()
            } else {
                self.loop.scheduleTask(in: self.interval) { self.poll() }
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
