import Foundation
import Shared

/// What `sysdig-adapter explain` prints: which mapping answers an API path (or
/// why none does) and the exact Sysdig request it would send: the Data API body,
/// or the PromQL query and its URL.
public struct ExplainReport: Sendable {
    public var lines: [String] = []
    /// The translated plan, when there is one.
    public var plan: SysdigQueryPlan?
    /// The mapping that answers, when there is one.
    public var mapping: CompiledMapping?

    /// Explains `apiPath` (as `kubectl get --raw` takes it, query string included).
    public static func make(
        apiPath: String, snapshot: ConfigSnapshot, translator: QueryTranslator, sysdigURL: String
    ) -> ExplainReport {
        var report = ExplainReport()
        let (path, rawQuery) = split(apiPath)
        let parsed: APIPath
        do {
            parsed = try APIPath.parse(path: path, query: APIPath.queryParameters(rawQuery))
        } catch {
            report.lines.append("The path cannot be answered: \(error.message) (HTTP \(error.code == .notFound ? 404 : 400))")
            return report
        }
        guard case .metric(let version, let query) = parsed else {
            report.lines.append("\(path) is a discovery path; the adapter answers it from the loaded mappings without asking Sysdig.")
            return report
        }
        report.lines.append("Query:    \(describe(query, version: version))")
        guard let mapping = snapshot.resolve(alias: query.alias, namespace: query.namespace) else {
            report.lines.append("Answer:   404 NotFound: no ready mapping serves metric \(query.alias)\(query.namespace.map { " in namespace \($0)" } ?? "")")
            report.lines += whyNot(alias: query.alias, namespace: query.namespace, snapshot: snapshot)
            return report
        }
        report.mapping = mapping
        report.lines.append("Mapping:  \(mapping.key) (ready)")
        for entry in snapshot.sortedEntries where entry.key != mapping.key && entry.mapping?.spec.metricName == query.alias {
            report.lines.append("          also for this alias: \(entry.key): \(entry.state.summary)")
        }
        if version.isExternal && !mapping.spec.external {
            report.lines.append("Answer:   404 NotFound: \(mapping.key) does not set spec.external: true")
            return report
        }
        do {
            let plan = try translator.plan(for: query, mapping: mapping)
            report.plan = plan
            report.lines.append("Window:   \(plan.windowSeconds)s; no data: \(describe(plan.noData)); multiplier: \(plan.multiplier.map { "\($0)" } ?? "none")")
            switch plan.backendRequest {
            case .data(let request):
                if let label = plan.segmentLabel {
                    report.lines.append("Segments: one request returns a value per \(label) (paged \(SysdigQueryPlan.pageSize) at a time)")
                }
                report.lines.append("Request:  POST \(sysdigURL.trimmingSuffix("/"))/api/data")
                let body = (try? request.encodedBody()).flatMap { try? JSONValue.parse(json: $0) }
                if let body, let text = String(data: body.jsonData(pretty: true), encoding: .utf8) {
                    report.lines.append(text)
                }
            case .promql(let request):
                if let label = plan.segmentLabel {
                    report.lines.append("Segments: one request returns a series per \(label)")
                }
                report.lines.append("PromQL:   \(request.query)")
                report.lines.append("Request:  GET \(sysdigURL.trimmingSuffix("/"))\(request.pathAndQuery())")
                report.lines.append("          (the client appends &time=<evaluation time, Unix seconds> when it sends it)")
            }
        } catch {
            let status = switch error.code {
            case .unsupportedSelector: "400 BadRequest"
            case .invalidQuery: "500 InternalError"
            case .resourceNotCovered, .notExternal: "404 NotFound"
            }
            report.lines.append("Answer:   \(status): \(error.message)")
        }
        return report
    }

    static func split(_ apiPath: String) -> (String, String?) {
        guard let mark = apiPath.firstIndex(of: "?") else { return (apiPath, nil) }
        return (String(apiPath[..<mark]), String(apiPath[apiPath.index(after: mark)...]))
    }

    static func describe(_ query: MetricQuery, version: MetricsAPIVersion) -> String {
        var text = "\(version.rawValue) metric \(query.alias) for "
        switch query.target {
        case .object(let resource, let namespace, let name):
            text += "\(resource.groupResource) \(namespace.map { "\($0)/" } ?? "")\(name)"
        case .selector(let resource, let namespace, let selector):
            text += "\(resource.groupResource) in \(namespace.map { "namespace \($0)" } ?? "all namespaces") selected by \"\(selector)\""
        case .external(let namespace):
            text += "namespace \(namespace)"
        }
        if !query.metricSelector.isEmpty { text += " with metric selector \"\(query.metricSelector)\"" }
        return text
    }

    public static func describe(_ policy: NoDataPolicy) -> String {
        switch policy {
        case .error: "error (the HPA keeps its replica count)"
        case .value(let value): "answer \(value)"
        }
    }

    /// Why no mapping answers: invalid or conflicting ones, or mappings in other namespaces.
    static func whyNot(alias: String, namespace: String?, snapshot: ConfigSnapshot) -> [String] {
        let related = snapshot.sortedEntries.filter { $0.mapping?.spec.metricName == alias }
        if related.isEmpty {
            return ["          No mapping (valid or not) declares metricName \(alias)."]
        }
        return related.map { entry in
            if entry.state.isReady, let other = entry.key.namespace, other != namespace {
                return "          \(entry.key) serves it only for namespace \(other)"
            }
            return "          \(entry.key): \(entry.state.summary)"
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
