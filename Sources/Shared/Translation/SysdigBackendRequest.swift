/// A request to either Sysdig API: the key the query cache and coalescing use,
/// so both backends share one path.
public enum SysdigBackendRequest: Sendable, Hashable {
    case data(SysdigDataRequest)
    case promql(PromQLRequest)
}

/// The answer to a `SysdigBackendRequest`.
public enum SysdigBackendResponse: Sendable, Hashable {
    case data(SysdigDataResponse)
    case promql(PromQLResponse)
}
