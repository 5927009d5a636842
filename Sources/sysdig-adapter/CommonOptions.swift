import ArgumentParser
import Foundation
import Shared

/// Options shared by commands that talk to Sysdig.
struct SysdigOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Sysdig Monitor API base URL, e.g. https://eu1.app.sysdig.com (env: SDC_ENDPOINT).",
        valueName: "url"))
    var sysdigURL: String?

    @Option(help: ArgumentHelp(
        "File holding the Sysdig API token, re-read when it changes (env fallback: SDC_TOKEN).",
        valueName: "path"))
    var sysdigTokenFile: String?

    @Option(help: ArgumentHelp(
        "Kubernetes cluster name as Sysdig knows it; adds kubernetes.cluster.name to every scope (env: CLUSTER_NAME).",
        valueName: "name"))
    var clusterName: String?

    @Flag(help: ArgumentHelp(
        "The Sysdig account monitors this cluster only: serve without kubernetes.cluster.name scoping (serve otherwise requires --cluster-name)."))
    var singleClusterAccount = false

    @Option(help: ArgumentHelp("Deadline for one Sysdig request, in seconds.", valueName: "seconds"))
    var sysdigTimeout: Double = 10

    static let defaultURL = "https://app.sysdigcloud.com"

    /// The URL as given (flag, else `SDC_ENDPOINT`, else Sysdig's US-East); `SysdigClient`
    /// accepts it with or without a trailing `/api`.
    var resolvedURL: String { sysdigURL ?? Environment.value("SDC_ENDPOINT") ?? Self.defaultURL }
    /// The placeholder the install ships in deploy/base/params.env.
    static let placeholderClusterName = "CHANGE-ME"
    /// An empty `--cluster-name` (e.g. an unset kustomize parameter) means none.
    var resolvedClusterName: String? {
        if let clusterName { return clusterName.isEmpty ? nil : clusterName }
        return Environment.value("CLUSTER_NAME")
    }
    /// The cluster every query is scoped to, for `serve`. Refuses to run without one
    /// (every cluster of the account would mix into each answer) and with the install's
    /// placeholder (every answer would be "no data"), unless `--single-cluster-account`
    /// says there is nothing to scope.
    func servingClusterName() throws -> String? {
        let name = resolvedClusterName
        if name == Self.placeholderClusterName {
            throw ValidationError("""
                the cluster name is the install's placeholder "\(Self.placeholderClusterName)": set cluster-name in \
                deploy/base/params.env (or --cluster-name / CLUSTER_NAME) to this cluster's kubernetes.cluster.name \
                as Sysdig shows it
                """)
        }
        switch (name, singleClusterAccount) {
        case (nil, false):
            throw ValidationError("""
                no cluster name: set --cluster-name (or CLUSTER_NAME) to this cluster's kubernetes.cluster.name as \
                Sysdig shows it, so answers hold this cluster's data only; or pass --single-cluster-account if the \
                Sysdig account monitors this cluster alone
                """)
        case (.some(let name), true):
            throw ValidationError(
                "--single-cluster-account and a cluster name (\"\(name)\") contradict each other: pass one")
        default:
            return name
        }
    }

    var timeout: Duration { .milliseconds(Int64(sysdigTimeout * 1000)) }

    /// The token source: the file when given, else `SDC_TOKEN`. Never prints the token.
    func tokenProvider() throws -> any SysdigTokenProviding {
        if let sysdigTokenFile {
            let provider = FileSysdigToken(path: sysdigTokenFile)
            return provider
        }
        if let token = Environment.value("SDC_TOKEN") { return StaticSysdigToken(token) }
        throw ValidationError("no Sysdig API token: pass --sysdig-token-file or set SDC_TOKEN")
    }

    func validate() throws {
        guard sysdigTimeout > 0, sysdigTimeout <= 120 else {
            throw ValidationError("--sysdig-timeout must be between 0 and 120 seconds")
        }
        guard let url = URL(string: resolvedURL), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw ValidationError("--sysdig-url \"\(resolvedURL)\" is not an http(s) URL")
        }
    }
}
