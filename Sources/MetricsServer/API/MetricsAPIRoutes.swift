import Foundation
import Hummingbird
import NIOCore
import Logging
import Shared

/// Serves `/apis/...`: discovery and metric values for custom.metrics.k8s.io
/// v1beta1/v1beta2 and external.metrics.k8s.io v1beta1.
public struct MetricsAPIRoutes: Sendable {
    let provider: MetricsProvider
    let logger: Logger
    private let discovery = DiscoveryCache()

    public init(provider: MetricsProvider, logger: Logger) {
        self.provider = provider
        self.logger = logger
    }

    /// Adds the routes to `router`.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/apis") { request, _ in try await self.handle(request) }
        router.get("/apis/**") { request, _ in try await self.handle(request) }
        // The API is read-only. Without these routes a write would get the router's empty 404
        // rather than a Status. The Go server answers 405 MethodNotAllowed.
        for path: RouterPath in ["/apis", "/apis/**"] {
            for method: HTTPRequest.Method in [.post, .put, .patch, .delete] {
                router.on(path, method: method) { _, _ -> Response in
                    throw KubeStatusError(.methodNotAllowed())
                }
            }
        }
    }

    /// Answers one request; every failure is a Kubernetes Status.
    func handle(_ request: Request) async throws -> Response {
        guard KubeJSONResponse.acceptsJSON(request) else { throw KubeStatusError(.notAcceptable()) }
        let parsed: APIPath
        do {
            parsed = try APIPath.parse(
                path: request.uri.path, query: APIPath.queryParameters(request.uri.query))
        } catch {
            throw KubeStatusError(Self.status(for: error))
        }
        switch parsed {
        case .groupList:
            return try KubeJSONResponse.make(DiscoveryDocuments.groupList(), for: request)
        case .group(let name):
            guard let group = DiscoveryDocuments.group(named: name) else { throw KubeStatusError(.notFound()) }
            return try KubeJSONResponse.make(group, for: request)
        case .resourceList(let version):
            let body = discovery.body(
                version, snapshot: provider.store.snapshot, pretty: KubeJSONResponse.wantsPretty(request))
            var headers = HTTPFields()
            headers[.contentType] = KubeJSONResponse.contentType
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
        case .metric(let version, let query):
            return try await metric(version, query, request: request)
        }
    }

    private func metric(_ version: MetricsAPIVersion, _ query: MetricQuery, request: Request) async throws -> Response {
        let items: [MetricItem]
        do {
            items = try await provider.answer(query)
        } catch {
            throw KubeStatusError(Self.status(for: error))
        }
        switch version {
        case .externalV1beta1:
            return try KubeJSONResponse.make(ExternalMetricValueList(items: try items.map { item in
                ExternalMetricValue(
                    metricName: query.alias, metricLabels: item.metricLabels, timestamp: item.timestamp,
                    windowSeconds: Int64(item.windowSeconds), value: try Self.quantity(item.value))
            }), for: request)
        case .customV1beta1, .customV1beta2:
            let wireVersion: CustomMetricsAPIVersion = version == .customV1beta1 ? .v1beta1 : .v1beta2
            let selector = query.metricSelector.isEmpty ? nil : Self.selectorJSON(query.metricSelector)
            return try KubeJSONResponse.make(CustomMetricValueList(version: wireVersion, items: try items.map { item in
                let object = item.object
                return CustomMetricValue(
                    describedObject: ObjectReference(
                        kind: object?.resource.kind ?? "", namespace: object?.namespace ?? "",
                        name: object?.name ?? "", apiVersion: object?.resource.describedAPIVersion ?? ""),
                    metricName: query.alias, selector: selector, timestamp: item.timestamp,
                    windowSeconds: Int64(item.windowSeconds), value: try Self.quantity(item.value))
            }), for: request)
        }
    }

    static func quantity(_ value: Double) throws -> String {
        guard let text = Quantity.format(value) else {
            throw KubeStatusError(.internalError("the metric value \(value) cannot be written as a Kubernetes quantity"))
        }
        return text
    }

    /// The metric selector echoed back as a `metav1.LabelSelector`.
    static func selectorJSON(_ selector: LabelSelector) -> MetricSelectorJSON {
        var labels: [String: String] = [:]
        var expressions: [MetricSelectorJSON.Requirement] = []
        for requirement in selector.requirements {
            switch requirement.op {
            case .equals: labels[requirement.key] = requirement.values.first ?? ""
            case .notEquals: expressions.append(.init(key: requirement.key, operator: "NotIn", values: requirement.values))
            case .in: expressions.append(.init(key: requirement.key, operator: "In", values: requirement.values))
            case .notIn: expressions.append(.init(key: requirement.key, operator: "NotIn", values: requirement.values))
            case .exists: expressions.append(.init(key: requirement.key, operator: "Exists"))
            case .doesNotExist: expressions.append(.init(key: requirement.key, operator: "DoesNotExist"))
            case .greaterThan: expressions.append(.init(key: requirement.key, operator: "Gt", values: requirement.values))
            case .lessThan: expressions.append(.init(key: requirement.key, operator: "Lt", values: requirement.values))
            }
        }
        return MetricSelectorJSON(matchLabels: labels, matchExpressions: expressions)
    }

    static func status(for error: APIPathError) -> KubeStatus {
        switch error.code {
        case .badRequest:
            return .badRequest(error.message)
        case .notFound:
            if let metric = error.metric, let groupResource = error.groupResource {
                return .notFoundMetric(metric: metric, groupResource: groupResource, name: error.name)
            }
            return .notFound()
        }
    }

    static func status(for error: MetricsProviderError) -> KubeStatus {
        switch error.code {
        case .notFound: KubeStatus(code: 404, reason: "NotFound", message: error.message)
        case .badRequest: .badRequest(error.message)
        case .unavailable: .serviceUnavailable(error.message, retryAfterSeconds: error.retryAfterSeconds)
        case .internalError: .internalError(error.message)
        }
    }
}
