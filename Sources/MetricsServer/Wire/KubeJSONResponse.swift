import Hummingbird
import NIOCore

/// Writes Kubernetes JSON responses the way apiserver's negotiation does
/// (docs/metrics-api.md, "How the bytes are written").
public enum KubeJSONResponse {
    /// The one media type this server produces.
    public static let contentType = "application/json"

    /// Answers `body` as JSON after checking `Accept`; indented when the request asks for pretty output.
    ///
    /// - Throws: ``KubeStatusError`` 406 NotAcceptable when `Accept` rules JSON out.
    public static func make(
        _ body: some GoJSONEncodable, status: HTTPResponse.Status = .ok, for request: Request
    ) throws(KubeStatusError) -> Response {
        guard acceptsJSON(request) else {
            throw KubeStatusError(.notAcceptable())
        }
        return render(body, status: status, pretty: wantsPretty(request))
    }

    /// Renders without negotiation (used for error bodies, which are always JSON).
    public static func render(
        _ body: some GoJSONEncodable, status: HTTPResponse.Status, pretty: Bool, headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        let text = body.goJSON.rendered(pretty: pretty)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Pretty output: `?pretty=<true>` wins when present and non-empty; otherwise a `curl`, `Wget`
    /// or `Mozilla/5.0` User-Agent asks for it, as apiserver's `isPrettyPrint` decides.
    public static func wantsPretty(_ request: Request) -> Bool {
        if let value = request.uri.queryParameters["pretty"], !value.isEmpty {
            return parseGoBool(value)
        }
        let userAgent = request.headers[.userAgent] ?? ""
        return ["curl", "Wget", "Mozilla/5.0"].contains { userAgent.hasPrefix($0) }
    }

    /// JSON is acceptable when `Accept` is absent or empty, or names `application/json`,
    /// `application/*` or `*/*` (parameters such as `;g=…` are ignored).
    public static func acceptsJSON(_ request: Request) -> Bool {
        acceptsJSON(acceptHeader: request.headers[values: .accept].joined(separator: ","))
    }

    /// The `Accept` rule on a raw header value.
    public static func acceptsJSON(acceptHeader: String) -> Bool {
        let ranges = acceptHeader.split(separator: ",").map { range in
            (range.split(separator: ";").first ?? "").trimmingWhitespace().lowercased()
        }.filter { !$0.isEmpty }
        if ranges.isEmpty { return true }
        return ranges.contains { ["application/json", "application/*", "*/*"].contains($0) }
    }

    /// Go's `strconv.ParseBool`; anything it rejects counts as false, as in apiserver.
    private static func parseGoBool<S: StringProtocol>(_ value: S) -> Bool {
        ["1", "t", "T", "TRUE", "true", "True"].contains(String(value))
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
