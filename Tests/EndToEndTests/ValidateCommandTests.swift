import Foundation
import Testing

/// Runs a command to completion, capturing both streams.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
    -> (status: Int32, stdout: String, stderr: String)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = AdapterBinary.packageRoot
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

@Suite struct ValidateCommandTests {
    @Test func examplesAreValid() throws {
        let binary = try #require(AdapterBinary.path, "build sysdig-adapter first (hack/test.sh does)")
        let result = try runProcess(binary, ["validate", "crds/examples"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("mapping(s) valid"))
    }

    /// Mappings often live next to the HPAs and workloads that use them: those are left
    /// alone, while anything claiming to be a mapping is still checked.
    @Test func otherKindsAreSkippedButAMisspelledMappingIsNot() throws {
        let binary = try #require(AdapterBinary.path)
        let examples = try runProcess(binary, ["validate", "deploy/examples"])
        #expect(examples.status == 0, "\(examples.stdout)\(examples.stderr)")
        #expect(examples.stdout.contains("skip  deploy/examples/kuard-hpa.yaml:4: HorizontalPodAutoscaler kuard: not a mapping, skipped"))
        #expect(examples.stdout.contains("skip  deploy/examples/kustomization.yaml:4: Kustomization: not a mapping, skipped"))
        #expect(examples.stdout.contains("ok    deploy/examples/kuard-rps-mapping.yaml: SysdigMetricMapping default/kuard-rps"))
        #expect(examples.stdout.contains("other document(s) skipped"))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID().uuidString).yaml")
        try """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            ---
            apiVersion: metrics.sysdig.com/v1alpha2
            kind: SysdigMetricMapping
            metadata: {name: web}
            spec: {metricName: rps, sysdig: {metric: net.http.request.count}, objects: [{resource: pods}]}
            ---
            apiVersion: metrics.sysdig.com/v1alpha1
            kind: SysdigMetricMaping
            metadata: {name: typo}
            spec: {metricName: rps2, sysdig: {metric: net.http.request.count}, objects: [{resource: pods}]}
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let mixed = try runProcess(binary, ["validate", file.path])
        #expect(mixed.status == 1)
        #expect(mixed.stdout.contains("skip  \(file.path):1: ConfigMap settings: not a mapping, skipped"))
        #expect(mixed.stdout.contains("error \(file.path):5:"))
        #expect(mixed.stdout.contains("v1alpha2"))
        #expect(mixed.stdout.contains("error \(file.path):10:"))
        #expect(mixed.stdout.contains("SysdigMetricMaping"))
    }

    /// Issue 13 §2a: a namespaced PromQL mapping that reads another namespace is
    /// reported with the selector's position; the same query is allowed cluster-wide.
    @Test func aNamespacedMappingReadingAnotherNamespaceIsInvalid() throws {
        let binary = try #require(AdapterBinary.path)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("leak-\(UUID().uuidString).yaml")
        try """
            apiVersion: metrics.sysdig.com/v1alpha1
            kind: SysdigMetricMapping
            metadata: {name: leak, namespace: shop}
            spec:
              metricName: leak
              promql: {query: 'sum(x{<<.LabelMatchers>>})*0 + sum(y{kube_namespace_name="payments"})'}
              external: true
            ---
            apiVersion: metrics.sysdig.com/v1alpha1
            kind: ClusterSysdigMetricMapping
            metadata: {name: wide}
            spec:
              metricName: wide
              promql: {query: 'sum(x{<<.LabelMatchers>>}) / scalar(sum(y))'}
              external: true
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try runProcess(binary, ["validate", file.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("spec.promql.query: 1:36:"), "\(result.stdout)")
        #expect(result.stdout.contains("every selector must carry <<.LabelMatchers>>"))
        #expect(result.stdout.contains("ok    \(file.path):9: ClusterSysdigMetricMapping wide") || result.stdout.contains("ClusterSysdigMetricMapping wide"), "\(result.stdout)")
    }

    @Test func brokenFileNamesFileObjectAndField() throws {
        let binary = try #require(AdapterBinary.path)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml")
        try """
            apiVersion: metrics.sysdig.com/v1alpha1
            kind: SysdigMetricMapping
            metadata: {name: web, namespace: shop}
            spec:
              metricName: rps
              sysdig: {metric: net.http.request.count}
              objects: [{resource: pods}]
              window: "60"
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try runProcess(binary, ["validate", file.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(file.path):1: SysdigMetricMapping shop/web: spec.window: \"60\" is not a duration"))
        #expect(!result.stderr.contains("Stack"))
    }

    @Test func malformedYAMLAndMissingFileExitOne() throws {
        let binary = try #require(AdapterBinary.path)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString).yaml")
        try "a: b\n  c: [\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let garbage = try runProcess(binary, ["validate", file.path])
        #expect(garbage.status == 1)
        #expect(garbage.stdout.contains("\(file.path):2:"))
        let missing = try runProcess(binary, ["validate", "/nonexistent.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("/nonexistent.yaml: no such file or directory"))
    }
}
