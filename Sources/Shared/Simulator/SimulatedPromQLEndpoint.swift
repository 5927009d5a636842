import Foundation
import Hummingbird
import Shared

/// `GET|POST /prometheus/api/v1/query?query=...&time=...`: Prometheus' instant-query
/// API over the simulated world. Queries are validated by `SimulatedPromQL`; refused
/// ones get Prometheus' error body `{"status":"error","errorType":"bad_data","error":...}`.
struct SimulatedPromQLEndpoint: Sendable {
    static let path = "/prometheus/api/v1/query"

    let world: SysdigSimulator.World
    let now: Date

    func respond(_ request: Request) -> Response {
        let parameters = request.uri.queryParameters
        guard let query = parameters["query"].map(String.init), !query.isEmpty else {
            return Self.error(400, "bad_data", "invalid parameter \"query\": query must not be empty")
        }
        var time = now
        if let raw = parameters["time"].map(String.init) {
            guard let seconds = Double(raw), seconds.isFinite else {
                return Self.error(400, "bad_data", "invalid parameter \"time\": cannot parse \"\(raw)\" to a valid timestamp")
            }
            time = Date(timeIntervalSince1970: seconds)
        }
        let parsed: SimulatedPromQL
        do {
            parsed = try SimulatedPromQL(query)
        } catch {
            return Self.error(400, "bad_data", "invalid parameter \"query\": 1:1: parse error: \(error.message)")
        }
        let data = SimulatedPromQLEvaluator(world: world, now: time).answer(parsed)
        return SysdigSimulatorResponder.json(200, SysdigSimulatorResponder.serialize(["status": "success", "data": data]))
    }

    static func error(_ status: Int, _ type: String, _ message: String) -> Response {
        SysdigSimulatorResponder.json(
            status, SysdigSimulatorResponder.serialize(["status": "error", "errorType": type, "error": message]))
    }
}
