import Hummingbird
import Shared

/// Counts and times every request by path kind, API version and HTTP code.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: AdapterMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let (kind, version) = Self.classify(request.uri.path)
        do {
            let response = try await next(request, context)
            metrics.apiRequest(kind: kind, version: version, code: Int(response.status.code), duration: .now - start)
            return response
        } catch {
            let code = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.apiRequest(kind: kind, version: version, code: Int(code), duration: .now - start)
            throw error
        }
    }

    /// Path kind and version label: cheap string checks, no full parse.
    static func classify(_ path: String) -> (String, String) {
        if path == "/healthz" || path == "/livez" || path == "/readyz" || path.hasPrefix("/readyz/")
            || path.hasPrefix("/livez/") || path.hasPrefix("/healthz/")
        {
            return ("health", "")
        }
        guard path.hasPrefix("/apis") else { return ("other", "") }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3 else { return ("discovery", "") }
        let version = "\(parts[1])/\(parts[2])"
        let tail = parts.dropFirst(3)
        if tail.isEmpty { return ("discovery", version) }
        if parts[1] == APIPath.externalGroup { return ("external", version) }
        if tail.count == 4 && tail.first == "namespaces" && tail.dropFirst(2).first == "metrics" { return ("namespace", version) }
        let name = tail.count >= 2 ? tail[tail.endIndex - 2] : ""
        return (name == "*" || name == "%2A" || name == "%2a" ? "selector" : "object", version)
    }
}
