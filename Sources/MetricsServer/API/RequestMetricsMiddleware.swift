import Hummingbird
import Shared

/// Counts and times every request by path kind, API version and HTTP code.
///
/// Labels never carry request text: the kind is one of a few the server defines, the
/// version is a served group/version, empty or `other`, and the code is bucketed by
/// `AdapterMetrics.codeLabel(_:)`. So random paths, 401s and 404s add no series.
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

    /// Path kind (discovery, object, selector, namespace, external, health, other) and
    /// version label (a `MetricsAPIVersion`, empty for paths without one, `other` for an
    /// unknown one): cheap checks on the path, no full parse.
    static func classify(_ path: String) -> (kind: String, version: String) {
        if path == "/healthz" || path == "/livez" || path == "/readyz" || path.hasPrefix("/readyz/")
            || path.hasPrefix("/livez/") || path.hasPrefix("/healthz/")
        {
            return ("health", "")
        }
        guard path == "/apis" || path.hasPrefix("/apis/") else { return ("other", "") }
        let parts = path.split(separator: "/")
        guard parts.count >= 3 else { return ("discovery", "") }
        guard let group = PercentDecoding.decode(parts[1]), let name = PercentDecoding.decode(parts[2]),
            let version = MetricsAPIVersion(rawValue: group + "/" + name)
        else { return ("other", AdapterMetrics.otherLabel) }
        let tail = parts.dropFirst(3)
        if tail.isEmpty { return ("discovery", version.rawValue) }
        if version.isExternal { return ("external", version.rawValue) }
        if tail.count == 4 && tail.first == "namespaces" && tail.dropFirst(2).first == "metrics" {
            return ("namespace", version.rawValue)
        }
        let object = tail.count >= 2 ? tail[tail.endIndex - 2] : ""
        return (object == "*" || object == "%2A" || object == "%2a" ? "selector" : "object", version.rawValue)
    }
}
