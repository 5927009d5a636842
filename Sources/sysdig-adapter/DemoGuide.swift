import Foundation
import MetricsServer
import Shared

/// What the demo prints once it is listening: live sample answers and
/// copy-pasteable commands.
struct DemoGuide {
    let port: Int
    let store: ConfigStore
    let provider: MetricsProvider
    let clusterName: String

    static let samplePaths = [
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kuard/kuard_rps",
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/cpu_usage?labelSelector=app%3Dweb",
        "/apis/custom.metrics.k8s.io/v1beta1/namespaces/shop/deployments.apps/api/http_requests_per_second",
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_messages?labelSelector=rabbitmq.queue.name%3Dorders",
    ]

    func print() async {
        let base = "https://127.0.0.1:\(port)"
        var lines = [
            "",
            "sysdig-adapter demo: serving custom.metrics.k8s.io and external.metrics.k8s.io on \(base)",
            "Backend: a simulated Sysdig (cluster \"\(clusterName)\"); mappings: \(store.snapshot.readyMappings.map(\.alias).sorted().joined(separator: ", "))",
            "",
            "Sample answers right now (values move over time):",
        ]
        for path in Self.samplePaths {
            lines.append("  \(path)")
            lines.append("    -> \(await answer(path))")
        }
        lines += [
            "",
            "Try it (any HTTPS client; the certificate is self-signed):",
            "  curl -k '\(base)/apis/custom.metrics.k8s.io/v1beta2'",
        ]
        for path in Self.samplePaths {
            lines.append("  kubectl get --raw '\(path)' --server \(base) --insecure-skip-tls-verify --token demo")
        }
        lines += [
            "  sysdig-adapter explain --mappings crds/examples '\(Self.samplePaths[1])'",
            "",
            "Press Ctrl-C to stop.",
        ]
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func answer(_ path: String) async -> String {
        let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
        do {
            guard case .metric(_, let query) = try APIPath.parse(
                path: parts[0], query: APIPath.queryParameters(parts.count > 1 ? parts[1] : nil))
            else { return "discovery" }
            let items = try await provider.answer(query)
            return items.map { item in
                let value = Quantity.format(item.value) ?? "\(item.value)"
                return item.object.map { "\($0.name)=\(value)" } ?? value
            }.joined(separator: ", ")
        } catch {
            return "error: \(error)"
        }
    }
}
