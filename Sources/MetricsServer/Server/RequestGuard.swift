import Hummingbird
import Logging
import Synchronization

/// Wraps a responder builder (the router) so every request passes ``RequestGuardResponder``.
struct RequestGuardBuilder<Base: HTTPResponderBuilder>: HTTPResponderBuilder
where Base.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    let base: Base
    let limits: ServerLimits
    let load: ServerLoad
    let logger: Logger

    func buildResponder() -> RequestGuardResponder<Base.Responder> {
        RequestGuardResponder(base: base.buildResponder(), limits: limits, load: load, logger: logger)
    }
}

/// The request-level overload protections, in front of authentication like kube-apiserver's
/// `WithMaxInFlightLimit` and `WithTimeoutForNonLongRunningRequests` filters:
///
/// - past `maxRequestsInFlight` requests being served, a request is answered 429 at once
///   (no queue, no `Retry-After`); `/healthz`, `/livez`, `/readyz` are exempt so kubelet
///   probes keep answering while the adapter is saturated;
/// - a request still unanswered after `requestTimeout` is answered 504 Timeout. Its handler is
///   cancelled but keeps its in-flight slot until it actually returns (as in kube-apiserver,
///   where the timeout filter sits outside the in-flight filter), so timed-out work cannot
///   pile up beyond the cap.
public struct RequestGuardResponder<Base: HTTPResponder>: HTTPResponder where Base.Context: Sendable {
    public typealias Context = Base.Context

    /// Probe paths exempt from the in-flight cap (API Priority and Fairness' `probes` FlowSchema).
    static var exemptPaths: Set<String> { DelegatedAuthMiddleware.alwaysAllowedPaths }

    let base: Base
    let limits: ServerLimits
    let load: ServerLoad
    let logger: Logger

    /// The longest path served. The longest real one is well under 1 KiB (a 63-byte
    /// namespace, a 253-byte object name, a group-qualified resource, a 200-byte alias); a
    /// longer one is refused here, before authentication, so a flood of long random paths
    /// costs neither a SubjectAccessReview each (its path is in the review) nor their bytes.
    static var maxPathBytes: Int { 2_048 }

    /// Serves `request` through the base responder, or answers 414 / 429 / 504 Status itself.
    public func respond(to request: Request, context: Context) async throws -> Response {
        guard request.uri.path.utf8.count <= Self.maxPathBytes else {
            load.update { $0.pathTooLong += 1 }
            return Self.render(.pathTooLong(limit: Self.maxPathBytes), for: request)
        }
        let counted = !Self.exemptPaths.contains(request.uri.path)
        if counted {
            guard load.enterRequest(limit: limits.maxRequestsInFlight) else {
                logger.debug("Request refused: too many requests in flight", metadata: [
                    "http.path": "\(request.uri.path)", "server.max_requests_inflight": "\(limits.maxRequestsInFlight)",
                ])
                return Self.render(.tooManyRequests(inFlightLimit: limits.maxRequestsInFlight), for: request)
            }
        }
        let release: @Sendable () -> Void = { [load] in
            if counted { load.update { $0.requestsInFlight -= 1 } }
        }
        guard let timeout = limits.requestTimeout, timeout > .zero else {
            defer { release() }
            return try await base.respond(to: request, context: context)
        }
        let work = Task { [base] in
            defer { release() }
            return try await base.respond(to: request, context: context)
        }
        switch await RequestDeadline.wait(for: work, timeout: timeout) {
        case .finished(let result):
            return try result.get()
        case .timedOut:
            work.cancel()
            load.update { $0.timedOutRequests += 1 }
            logger.info("Request timed out", metadata: [
                "http.path": "\(request.uri.path)", "server.request_timeout": "\(timeout)",
            ])
            return Self.render(.requestTimeout(), for: request)
        }
    }

    /// A Status answer (JSON, honouring `?pretty`, never `Retry-After`).
    static func render(_ status: KubeStatus, for request: Request) -> Response {
        KubeJSONResponse.render(
            status, status: HTTPResponse.Status(code: status.code), pretty: KubeJSONResponse.wantsPretty(request))
    }
}

/// Waits for a handler's task, but no longer than a timeout. Awaiting an unstructured task
/// cannot be cut short, so the wait is a continuation that whichever comes first, the result
/// or the timer, resumes; the task is left to the caller (which cancels it). Cancelling the
/// waiting task cancels the handler too.
final class RequestDeadline<Value: Sendable>: Sendable {
    enum Outcome: Sendable {
        case finished(Result<Value, any Error>)
        case timedOut
    }

    private let continuation = Mutex<CheckedContinuation<Outcome, Never>?>(nil)
    private let timer = Mutex<Task<Void, Never>?>(nil)

    private init() {}

    static func wait(for task: Task<Value, any Error>, timeout: Duration) async -> Outcome {
        let deadline = RequestDeadline()
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                deadline.continuation.withLock { $0 = continuation }
                Task { deadline.resume(.finished(await task.result)) }
                let timer = Task {
                    // Cancelled once the answer arrived; otherwise the timeout wins.
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    deadline.resume(.timedOut)
                }
                deadline.timer.withLock { $0 = timer }
            }
        } onCancel: {
            task.cancel()
        }
        deadline.timer.withLock { $0 }?.cancel()
        return outcome
    }

    /// The first outcome wins; later ones are dropped.
    private func resume(_ outcome: Outcome) {
        continuation.withLock { $0.take() }?.resume(returning: outcome)
    }
}
