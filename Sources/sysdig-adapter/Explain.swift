import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MetricsServer
import Shared

/// `sysdig-adapter explain API_PATH`: which mapping answers and the exact Sysdig request.
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which mapping answers a metrics API path and the exact Sysdig request it sends.",
        discussion: """
            API_PATH is what `kubectl get --raw` takes, e.g.
              /apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kuard/kuard_rps
              '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/cpu_usage?labelSelector=app%3Dkuard'
            """)

    @Option(name: .customLong("mappings"), parsing: .singleValue, help: "Mapping files or directories.")
    var mappings: [String]

    @OptionGroup var sysdig: SysdigOptions

    @Flag(help: "Send the request to Sysdig and print the answer.")
    var run = false

    @Argument(help: "The metrics API path, with its query string.")
    var apiPath: String

    func run() async throws {
        let store = ConfigStore()
        let source = FileMappingSource(paths: mappings, store: store, logger: Logger(label: "explain", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            try source.reload()
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let translator = QueryTranslator(clusterName: sysdig.resolvedClusterName)
        let report = ExplainReport.make(
            apiPath: apiPath, snapshot: store.snapshot, translator: translator, sysdigURL: sysdig.resolvedURL)
        report.lines.forEach { print($0) }
        guard let plan = report.plan else { throw ExitCode(report.mapping == nil ? 1 : 2) }
        if run { try await execute(plan) }
    }

    private func execute(_ plan: SysdigQueryPlan) async throws {
        let client = SysdigClient(
            baseURL: sysdig.resolvedURL, token: try sysdig.tokenProvider(), httpClient: HTTPClient.shared,
            logger: Logger(label: "explain"))
        do {
            let samples = try await plan.execute(using: client, timeout: sysdig.timeout)
            print("Answer:   \(samples.count) value(s)")
            for sample in samples {
                let value = Quantity.format(sample.value) ?? "not representable"
                print("          \(sample.object ?? "value"): \(value) (\(sample.value))")
            }
            if samples.isEmpty {
                print("          Sysdig returned no data; noData policy: \(ExplainReport.describe(plan.noData))")
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(3)
        }
    }
}
