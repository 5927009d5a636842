/// One named probe behind `/healthz`, `/livez` or `/readyz` (docs/aggregation-layer.md, "Health endpoints").
public struct HealthCheck: Sendable {
    /// The name shown in verbose output and used as the subpath (`/readyz/<name>`).
    public let name: String
    /// Returns true when healthy; must be cheap and non-blocking (probes hit it often).
    public let check: @Sendable () -> Bool

    /// Creates a check.
    public init(name: String, check: @escaping @Sendable () -> Bool) {
        self.name = name
        self.check = check
    }

    /// The always-passing `ping` check every Kubernetes API server registers.
    public static let ping = HealthCheck(name: "ping") { true }
}

/// The checks for each health endpoint; `ping` is always first.
public struct HealthChecks: Sendable {
    /// Checks for `/healthz`.
    public var healthz: [HealthCheck]
    /// Checks for `/livez`.
    public var livez: [HealthCheck]
    /// Checks for `/readyz` (e.g. "config-synced", true after the first mapping load).
    public var readyz: [HealthCheck]

    /// Creates the sets; `ping` is prepended to each.
    public init(healthz: [HealthCheck] = [], livez: [HealthCheck] = [], readyz: [HealthCheck] = []) {
        self.healthz = [.ping] + healthz
        self.livez = [.ping] + livez
        self.readyz = [.ping] + readyz
    }

    /// The three endpoints with their path names.
    var endpoints: [(name: String, checks: [HealthCheck])] {
        [("healthz", healthz), ("livez", livez), ("readyz", readyz)]
    }
}

/// The text bodies of the Go health handler (k8s.io/apiserver `healthz`).
enum HealthReport {
    /// Result of the root endpoint: status 200/500 and body.
    static func root(
        name: String, checks: [HealthCheck], verbose: Bool, excluded: Set<String>
    ) -> (healthy: Bool, body: String) {
        var remainingExcluded = excluded
        var lines = ""
        var failed = false
        for check in checks {
            if remainingExcluded.remove(check.name) != nil {
                lines += "[+]\(check.name) excluded: ok\n"
            } else if check.check() {
                lines += "[+]\(check.name) ok\n"
            } else {
                lines += "[-]\(check.name) failed: reason withheld\n"
                failed = true
            }
        }
        if !remainingExcluded.isEmpty {
            let quoted = remainingExcluded.sorted().map { "\"\($0)\"" }.joined(separator: ",")
            lines += "warn: some health checks cannot be excluded: no matches for \(quoted)\n"
        }
        if failed {
            return (false, lines + "\(name) check failed\n")
        }
        return (true, verbose ? lines + "\(name) check passed\n" : "ok")
    }
}
