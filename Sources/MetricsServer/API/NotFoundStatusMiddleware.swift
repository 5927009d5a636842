import Hummingbird

/// Turns the router's empty 404 (a path no route serves, e.g. `/foo`) into the
/// Kubernetes Status the API server would send, like the `/apis` paths answer.
/// Added innermost, so authentication still answers first.
struct NotFoundStatusMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            throw KubeStatusError(.notFound())
        }
    }
}
