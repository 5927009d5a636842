import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

extension KubernetesClient {
    /// `GET <collection>?watch=true`. A non-200 answer (e.g. 410 for a too-old
    /// resourceVersion) is thrown; after that every event, ERROR included, is delivered
    /// in the stream, which finishes when the server ends the watch and throws on a
    /// transport failure or an unreadable event. Cancelling the consumer closes the request.
    public func watch(_ resource: KubeGVR, namespace: String?, options: WatchOptions) async throws
        -> AsyncThrowingStream<WatchEvent, any Error>
    {
        var query: [(String, String)] = [("watch", "true")]
        if let version = options.resourceVersion { query.append(("resourceVersion", version)) }
        if options.allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        if let timeout = options.timeoutSeconds { query.append(("timeoutSeconds", String(timeout))) }
        if let selector = options.labelSelector, !selector.isEmpty { query.append(("labelSelector", selector)) }
        if let selector = options.fieldSelector, !selector.isEmpty { query.append(("fieldSelector", selector)) }
        let path = Self.path(resource, namespace: namespace)
        let operation = "WATCH \(path)"
        let token = try configuration.token?.token()
        try await limit(operation)
        let request = makeRequest(.GET, path, query: query, token: token)
        let lifetime: TimeAmount = .seconds(Int64(options.timeoutSeconds.map { $0 + 60 } ?? 3600))
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: .now() + lifetime, logger: logger)
        } catch {
            throw transportError(error, operation: operation).scrubbed(of: token)
        }
        guard response.status.code == 200 else {
            let retryAfter = response.headers.first(name: "Retry-After")
            let body = (try? await withDeadline(requestTimeout) { try await response.body.collect(upTo: 1 << 20) })
                ?? ByteBuffer()
            throw KubeAPIError.fromResponse(
                httpStatus: Int(response.status.code), body: Data(body.readableBytesView), retryAfter: retryAfter,
                operation: operation
            ).scrubbed(of: token)
        }
        logger.debug("Kubernetes watch opened", metadata: ["k8s.op": "\(operation)"])
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent.self)
        let task = Task { [logger] in
            var decoder = WatchEventDecoder()
            do {
                for try await chunk in response.body {
                    for event in try decoder.feed(chunk.readableBytesView) { continuation.yield(event) }
                }
                if let last = try decoder.finish() { continuation.yield(last) }
                logger.debug("Kubernetes watch ended", metadata: ["k8s.op": "\(operation)"])
                continuation.finish()
            } catch {
                continuation.finish(throwing: self.transportError(error, operation: operation).scrubbed(of: token))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
