import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import Shared

/// Request context that keeps the channel, so a fault can close the connection.
struct SysdigSimulatorContext: InitializableFromSource {
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.channel = source.channel
    }
}

/// Records each request, applies a queued fault, checks the token, then routes.
struct SysdigSimulatorResponder: HTTPResponder {
    static let maxRequestBytes = 4 * 1024 * 1024

    let simulator: SysdigSimulator

    func respond(to request: Request, context: SysdigSimulatorContext) async throws -> Response {
        var request = request
        let body = (try? await request.collectBody(upTo: Self.maxRequestBytes)) ?? ByteBuffer()
        let recorded = makeRecord(request, body: body)
        simulator.record(recorded)
        if let fault = simulator.takeFault() {
            switch fault {
            case .status(let status, let text, let retryAfter):
                return Self.json(status, Data(text.utf8), retryAfter: retryAfter)
            case .delay(let duration):
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
            case .garbageBody:
                return Self.json(200, Data("<html><body>Service Temporarily Unavailable</body></html>".utf8))
            case .truncatedBody:
                return Self.json(200, Data(#"{"data":[{"t":1700000040,"d":["web-1",12."#.utf8))
            case .closeConnection:
                try await context.channel.close()
                throw CancellationError()
            }
        }
        guard recorded.authorized else {
            return Self.json(
                401, Data(#"{"status":401,"error":"Unauthorized","message":"Bad credentials"}"#.utf8))
        }
        return route(request, body: Data(body.readableBytesView))
    }

    private func route(_ request: Request, body: Data) -> Response {
        var path = request.uri.path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        switch (request.method, path) {
        case (.post, "/api/data"):
            return data(request, body: body)
        case (.get, "/api/v2/metrics/descriptors"):
            return descriptors(request)
        case (.get, SimulatedPromQLEndpoint.path), (.post, SimulatedPromQLEndpoint.path):
            return SimulatedPromQLEndpoint(world: simulator.world, now: simulator.clock()).respond(request)
        case (_, "/api/data"), (_, "/api/v2/metrics/descriptors"), (_, SimulatedPromQLEndpoint.path):
            return Self.json(405, Data(#"{"message":"Method not allowed"}"#.utf8))
        default:
            return Self.json(404, Data(#"{"message":"Not Found"}"#.utf8))
        }
    }

    private func data(_ request: Request, body: Data) -> Response {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            return Self.json(415, Data(#"{"message":"Content type must be application/json"}"#.utf8))
        }
        let world = simulator.world
        do throws(SimulatedDataQuery.Rejection) {
            let query = try SimulatedDataQuery(json: body, world: world, now: simulator.clock())
            let answer = SimulatedDataEvaluator(world: world).answer(query)
            return Self.json(200, Self.serialize(answer))
        } catch {
            var entry: [String: Any] = ["reason": error.reason, "message": error.message]
            entry["field"] = error.field
            return Self.json(400, Self.serialize(["errors": [entry]]))
        }
    }

    private func descriptors(_ request: Request) -> Response {
        let parameters = request.uri.queryParameters
        let offset = parameters["offset"].map { Int(String($0)) } ?? 0
        let limit = parameters["limit"].map { Int(String($0)) } ?? 100
        guard let offset, let limit, offset >= 0, (1...10_000).contains(limit) else {
            return Self.json(
                400, Self.serialize(["errors": [["reason": "Bad request", "message": "invalid offset or limit"]]]))
        }
        let metrics = simulator.world.metrics
        let page = metrics.dropFirst(offset).prefix(limit).map { metric -> [String: Any] in
            [
                "id": metric.id, "metricType": metric.metricType, "type": metric.type, "scale": 1,
                "category": "simulated", "namespaces": [String](), "scopes": [String](),
                "timeAggregations": metric.timeAggregations, "groupAggregations": metric.groupAggregations,
                "identity": false, "canMonitor": true, "canGroupBy": false, "canFilter": false,
                "heuristic": false, "documented": true,
            ]
        }
        return Self.json(200, Self.serialize(["total": metrics.count, "offset": offset, "metricDescriptors": page]))
    }

    private func makeRecord(_ request: Request, body: ByteBuffer) -> SysdigSimulator.RecordedRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            let value = name == "authorization" ? "Bearer <redacted>" : field.value
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        let authorized = request.headers[values: .authorization] == ["Bearer \(simulator.token)"]
        return SysdigSimulator.RecordedRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
            headers: headers, body: Data(body.readableBytesView), time: simulator.clock(), authorized: authorized)
    }

    static func serialize(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    static func json(_ status: Int, _ body: Data, retryAfter: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json;charset=UTF-8"]
        if let retryAfter { headers[.retryAfter] = retryAfter }
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
