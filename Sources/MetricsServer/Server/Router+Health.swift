import Hummingbird
import NIOCore

extension Router {
    /// Registers `/healthz`, `/livez`, `/readyz` and their `/<endpoint>/<check>` subpaths.
    ///
    /// Bodies and headers follow k8s.io/apiserver's healthz handler (docs/aggregation-layer.md,
    /// "Health endpoints"): `ok`, `?verbose` for per-check lines, `?exclude=<check>` to skip
    /// one, 500 on any failure.
    /// The root paths must stay reachable without authentication (kubelet probes).
    public func addHealthRoutes(_ checks: HealthChecks) {
        for endpoint in checks.endpoints {
            let name = endpoint.name
            let list = endpoint.checks
            get(RouterPath(name)) { request, _ in
                let query = request.uri.queryParameters
                let report = HealthReport.root(
                    name: name, checks: list, verbose: query.has("verbose"),
                    excluded: Set(query.getAll("exclude"))
                )
                return HealthResponse.text(report.body, status: report.healthy ? .ok : .internalServerError)
            }
            get(RouterPath("\(name)/:check")) { _, context in
                let checkName = context.parameters.get("check") ?? ""
                guard let check = list.first(where: { $0.name == checkName }) else {
                    throw KubeStatusError(.notFound())
                }
                if check.check() {
                    return HealthResponse.text("ok", status: .ok)
                }
                return HealthResponse.text(
                    "internal server error: \(checkName) check failed\n", status: .internalServerError
                )
            }
        }
    }
}

/// Plain-text health responses with the headers Go's handler sets.
enum HealthResponse {
    static func text(_ body: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
