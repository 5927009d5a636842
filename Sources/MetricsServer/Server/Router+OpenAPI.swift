import Hummingbird

extension Router {
    /// Registers `/openapi/v2` and `/openapi/v3` answering 404 with a Kubernetes Status.
    ///
    /// kube-apiserver's aggregator skips a 404 gracefully on both (docs/aggregation-layer.md,
    /// "What kube-apiserver itself calls"); the metrics APIs have no schema worth publishing,
    /// so the adapter publishes none. The answer still comes after authentication and
    /// authorization, as Kubernetes requires.
    public func addOpenAPIRoutes() {
        for path in ["/openapi/v2", "/openapi/v3", "/openapi/v3/**"] {
            get(RouterPath(path)) { _, _ -> Response in throw KubeStatusError(.notFound()) }
        }
    }
}
