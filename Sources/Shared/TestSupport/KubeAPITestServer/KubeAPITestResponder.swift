import Foundation
import Hummingbird
import NIOCore
import Shared

/// Routes requests of `KubeAPITestServer` (docs/kubernetes-api.md, "Request paths"):
/// records, applies faults and authentication, then serves
/// get/list/watch/create/update/status/patch/delete.
struct KubeAPITestResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    static let maxRequestBytes = 8 * 1024 * 1024

    let server: KubeAPITestServer

    /// `/api/v1/...` or `/apis/{g}/{v}/...`, then `[namespaces/{ns}/]{plural}[/{name}[/{sub}]]`.
    struct Target {
        var resource: KubeTestResource
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let body = (try? await request.collectBody(upTo: Self.maxRequestBytes)) ?? ByteBuffer()
        let query = Dictionary(
            request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        let authorization = request.headers[.authorization]
        let token = authorization.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let recorded = KubeAPITestServer.Request(
            method: request.method.rawValue, path: request.uri.path, query: query, bearerToken: token,
            contentType: request.headers[.contentType])
        let uri = request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
        if let fault = server.admit(recorded, uri: uri) {
            let reasons = [409: "Conflict", 410: "Expired", 429: "TooManyRequests", 503: "ServiceUnavailable"]
            let reason = reasons[fault.status] ?? "InternalError"
            var response = Self.json(
                fault.status, KubeTestStatus(code: fault.status, reason: reason, message: "injected fault").json)
            if let retryAfter = fault.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        }
        if let required = server.requiredToken, token != required {
            return Self.json(401, KubeTestStatus(code: 401, reason: "Unauthorized", message: "Unauthorized").json)
        }
        if request.method == .post, let review = server.answerReview(path: request.uri.path, body: Data(body.readableBytesView)) {
            return Self.json(review.status, review.body)
        }
        do {
            return try await route(request, query: query, body: Data(body.readableBytesView))
        } catch {
            return Self.json(error.code, error.json)
        }
    }

    private func route(_ request: Request, query: [String: String], body: Data) async throws(KubeTestStatus) -> Response {
        let target = try parseTarget(request.uri.path)
        let resource = target.resource
        let status = target.subresource == "status"
        if let subresource = target.subresource, subresource != "status" || !resource.hasStatusSubresource {
            throw KubeTestStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        switch (request.method, target.name) {
        case (.get, nil):
            let selector = try labelSelector(query)
            if query["watch"] == "true" || query["watch"] == "1" {
                return try watch(target, query: query, selector: selector)
            }
            let limit = query["limit"].flatMap { Int($0) }
            return Self.json(200, try server.list(
                resource, namespace: target.namespace, limit: limit, continueToken: query["continue"], selector: selector))
        case (.get, let name?):
            guard let object = server.object(resource.gvr, namespace: target.namespace, name: name) else {
                throw .notFound(resource.gvr, name)
            }
            return Self.json(200, object)
        case (.post, nil):
            let object = try parse(body)
            let created = try server.mutate { store throws(KubeTestStatus) in
                let change = try store.create(resource, namespace: target.namespace, object: object, now: server.now())
                return (change.object, [change])
            }
            return Self.json(201, created)
        case (.put, let name?):
            let object = try parse(body)
            return Self.json(200, try server.mutate { store throws(KubeTestStatus) in
                let result = try store.update(resource, namespace: target.namespace, name: name, object: object, status: status)
                return (result.object, result.change.map { [$0] } ?? [])
            })
        case (.patch, let name?):
            let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
            guard type == "application/merge-patch+json" else {
                throw KubeTestStatus(
                    code: 415, reason: "UnsupportedMediaType",
                    message: "the body of the request was in an unknown format - accepted media types include: application/merge-patch+json")
            }
            let patch = try parse(body)
            return Self.json(200, try server.mutate { store throws(KubeTestStatus) in
                let result = try store.mergePatch(resource, namespace: target.namespace, name: name, patch: patch, status: status)
                return (result.object, result.change.map { [$0] } ?? [])
            })
        case (.delete, let name?):
            return Self.json(200, try server.mutate { store throws(KubeTestStatus) in
                let change = try store.delete(resource, namespace: target.namespace, name: name)
                return (change.previous ?? change.object, [change])
            })
        default:
            throw KubeTestStatus(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
        }
    }

    private func watch(_ target: Target, query: [String: String], selector: LabelSelector?) throws(KubeTestStatus) -> Response {
        let watch = try server.openWatch(
            target.resource, namespace: target.namespace, resourceVersion: query["resourceVersion"], selector: selector,
            bookmarks: query["allowWatchBookmarks"] == "true")
        let timeout = query["timeoutSeconds"].flatMap { Int($0) }
        let chunkSize = server.watchChunkSize
        let server = self.server
        let body = ResponseBody { writer in
            let timer = timeout.map { seconds in
                Task {
                    try await Task.sleep(for: .seconds(seconds))
                    server.closeWatch(watch)
                }
            }
            defer {
                timer?.cancel()
                server.closeWatch(watch)
            }
            while true {
                let (events, closed) = await watch.next()
                var bytes = Data()
                for event in events {
                    bytes += JSONValue.object(["type": .string(event.type.rawValue), "object": event.object]).jsonData()
                    bytes.append(UInt8(ascii: "\n"))
                }
                var offset = 0
                while offset < bytes.count {
                    let end = min(bytes.count, offset + (chunkSize ?? bytes.count))
                    try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                    offset = end
                }
                if closed { break }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }

    private func parseTarget(_ path: String) throws(KubeTestStatus) -> Target {
        let parts = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        var rest: ArraySlice<String>
        let group: String
        let version: String
        if parts.first == "api", parts.count >= 2 {
            (group, version, rest) = ("", parts[1], parts.dropFirst(2))
        } else if parts.first == "apis", parts.count >= 3 {
            (group, version, rest) = (parts[1], parts[2], parts.dropFirst(3))
        } else {
            throw KubeTestStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest.dropFirst().first
            rest = rest.dropFirst(2)
        }
        guard let plural = rest.first, let resource = server.resource(group: group, version: version, plural: plural),
            rest.count <= 3, resource.gvr.namespaced || namespace == nil
        else {
            throw KubeTestStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        let items = Array(rest)
        return Target(
            resource: resource, namespace: namespace, name: items.count > 1 ? items[1] : nil,
            subresource: items.count > 2 ? items[2] : nil)
    }

    private func labelSelector(_ query: [String: String]) throws(KubeTestStatus) -> LabelSelector? {
        guard let text = query["labelSelector"], !text.isEmpty else { return nil }
        do {
            return try LabelSelector.parse(text)
        } catch {
            throw .badRequest("unable to parse requirement: \(error)")
        }
    }

    private func parse(_ body: Data) throws(KubeTestStatus) -> JSONValue {
        do {
            return try JSONValue.parse(json: body)
        } catch {
            throw .badRequest("the request body is not valid JSON")
        }
    }

    static func json(_ status: Int, _ value: JSONValue) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.jsonData())))
    }
}
