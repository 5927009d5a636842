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

    @Option(help: ArgumentHelp("Deadline for one Sysdig request, in seconds.", valueName: "seconds"))
    var sysdigTimeout: Double = 10

    static let defaultURL = "https://app.sysdigcloud.com"

    var resolvedURL: String { sysdigURL ?? Environment.value("SDC_ENDPOINT") ?? Self.defaultURL }
    /// An empty `--cluster-name` (e.g. an unset kustomize parameter) means none.
    var resolvedClusterName: String? {
        if let clusterName { return clusterName.isEmpty ? nil : clusterName }
        return Environment.value("CLUSTER_NAME")
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
