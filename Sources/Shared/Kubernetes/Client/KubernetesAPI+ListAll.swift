extension KubernetesAPI {
    /// Every item of a collection, following `continue` page by page with the other
    /// parameters unchanged (docs/kubernetes-api.md, "Lists"). An expired continue token
    /// (410) restarts the list from scratch, without `continue` and with `resourceVersion`
    /// unset, at most `maxRestarts` times. Returns the items and the resourceVersion of the list.
    public func listAll(
        _ resource: KubeGVR, namespace: String?, options: ListOptions = ListOptions(), pageSize: Int = 500,
        maxRestarts: Int = 3
    ) async throws -> KubeObjectList {
        var base = options
        base.limit = pageSize > 0 ? pageSize : nil
        base.continueToken = nil
        var restarts = 0
        restart: while true {
            var items: [JSONValue] = []
            var page = base
            while true {
                let answer: KubeObjectList
                do {
                    answer = try await list(resource, namespace: namespace, options: page)
                } catch let error as KubeAPIError where error.code == .gone && page.continueToken != nil
                    && restarts < maxRestarts
                {
                    restarts += 1
                    base.resourceVersion = nil
                    continue restart
                }
                items += answer.items
                guard let token = answer.continueToken, !token.isEmpty else {
                    return KubeObjectList(resourceVersion: answer.resourceVersion, continueToken: nil, items: items)
                }
                page.continueToken = token
            }
        }
    }
}
