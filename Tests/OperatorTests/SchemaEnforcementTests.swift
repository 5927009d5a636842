import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Shared
import Testing
import TestSupport

/// The test API server enforces the shipped CRDs as kube-apiserver does, seen through the
/// real client: unknown fields pruned on create, update, patch and status writes; each
/// constraint refused with the API server's 422 message.
@Suite(.timeLimit(.minutes(1))) struct SchemaEnforcementTests {
    static let smm = KubeGVR.sysdigMetricMappings
    static let invalidPrefix = #"SysdigMetricMapping.metrics.sysdig.com "m" is invalid: "#
    static let durationPattern = #"^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))+)$"#

    /// A change to the valid mapping `shop/m` and the errors the API server answers with.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Merge-patched onto the valid mapping (or onto `{status: {...valid status}}` for status cases).
        var patch: JSONValue
        var errors: String
        var testDescription: String { name }
    }

    static let specCases: [Case] = [
        Case(
            name: "pattern", patch: ["spec": ["window": "15x"]],
            errors: #"spec.window: Invalid value: "15x": spec.window in body should match '\#(durationPattern)'"#),
        Case(
            name: "pattern: $ is the very end of the text in RE2", patch: ["spec": ["metricName": "rps\n"]],
            errors: #"spec.metricName: Invalid value: "rps\n": spec.metricName in body should match '^[A-Za-z_][A-Za-z0-9_.:-]*$'"#),
        Case(
            name: "required", patch: ["spec": ["sysdig": ["metric": .null, "scope": "a = 'b'"]]],
            errors: "spec.sysdig.metric: Required value"),
        Case(name: "required at the root", patch: ["spec": .null], errors: "spec: Required value"),
        Case(
            name: "enum", patch: ["spec": ["sysdig": ["timeAggregation": "average"]]],
            errors: #"spec.sysdig.timeAggregation: Unsupported value: "average": supported values: "avg", "timeAvg", "sum", "min", "max", "rateOfChange""#),
        Case(
            name: "type boolean", patch: ["spec": ["external": "yes"]],
            errors: #"spec.external: Invalid value: "string": spec.external in body must be of type boolean: "string""#),
        Case(
            name: "type string", patch: ["spec": ["metricName": 5]],
            errors: #"spec.metricName: Invalid value: "integer": spec.metricName in body must be of type string: "integer""#),
        Case(
            name: "type number", patch: ["spec": ["multiplier": "x"]],
            errors: #"spec.multiplier: Invalid value: "string": spec.multiplier in body must be of type number: "string""#),
        Case(
            name: "type object", patch: ["spec": ["sysdig": "net.http.request.count"]],
            errors: #"spec.sysdig: Invalid value: "string": spec.sysdig in body must be of type object: "string""#),
        Case(
            name: "maxLength", patch: ["spec": ["metricName": .string(String(repeating: "a", count: 201))]],
            errors: "spec.metricName: Too long: may not be more than 200 bytes"),
        Case(
            name: "minLength", patch: ["spec": ["metricName": ""]],
            errors: #"spec.metricName: Invalid value: "": spec.metricName in body should be at least 1 chars long"#),
        Case(
            name: "list-type map keys", patch: ["spec": ["objects": [["resource": "pods"], ["resource": "pods", "label": "x"]]]],
            errors: #"spec.objects[1]: Duplicate value: map[string]interface {}{"resource":"pods"}"#),
        Case(
            name: "items", patch: ["spec": ["objects": [["label": "kubernetes.pod.name"]]]],
            errors: "spec.objects[0].resource: Required value"),
        Case(
            name: "several errors, siblings in name order", patch: ["spec": ["window": "15x", "metricName": "9lives"]],
            errors: #"[spec.metricName: Invalid value: "9lives": spec.metricName in body should match '^[A-Za-z_][A-Za-z0-9_.:-]*$', "#
                + #"spec.window: Invalid value: "15x": spec.window in body should match '\#(durationPattern)']"#),
    ]

    @Test(arguments: specCases)
    func createRefusesWithTheAPIServersMessage(_ testCase: Case) async throws {
        try await withKubeServer { client, server in
            let error = await kubeError {
                _ = try await client.create(Self.smm, namespace: "shop", object: mappingObject("m").applyingMergePatch(testCase.patch))
            }
            #expect(error?.code == .invalid)
            #expect(error?.httpStatus == 422)
            #expect(error?.message == Self.invalidPrefix + testCase.errors)
            #expect(server.object(Self.smm, namespace: "shop", name: "m") == nil)
        }
    }

    @Test(arguments: specCases)
    func updateAndPatchRefuseTheSame(_ testCase: Case) async throws {
        try await withKubeServer { client, server in
            let created = try await client.create(Self.smm, namespace: "shop", object: mappingObject("m"))
            let updateError = await kubeError {
                _ = try await client.update(Self.smm, namespace: "shop", name: "m", object: created.applyingMergePatch(testCase.patch))
            }
            #expect(updateError?.message == Self.invalidPrefix + testCase.errors)
            let patchError = await kubeError {
                _ = try await client.mergePatch(Self.smm, namespace: "shop", name: "m", subresource: nil, patch: testCase.patch)
            }
            #expect(patchError?.message == Self.invalidPrefix + testCase.errors)
            #expect(server.object(Self.smm, namespace: "shop", name: "m") == created)
        }
    }

    static let statusCases: [Case] = [
        Case(
            name: "lastQuery.outcome enum", patch: ["status": ["lastQuery": ["outcome": "Bad"]]],
            errors: #"status.lastQuery.outcome: Unsupported value: "Bad": supported values: "Success", "NoData", "Error""#),
        Case(
            name: "date-time, message relative to status", patch: ["status": ["lastQuery": ["time": "yesterday"]]],
            errors: #"status.lastQuery.time: Invalid value: "yesterday": lastQuery.time in body must be of type date-time: "yesterday""#),
        Case(
            name: "minimum", patch: ["status": ["observedGeneration": -1]],
            errors: "status.observedGeneration: Invalid value: -1: observedGeneration in body should be greater than or equal to 0"),
        Case(
            name: "integer", patch: ["status": ["observedGeneration": 1.5]],
            errors: #"[status.observedGeneration: Invalid value: "number": observedGeneration in body must be of type integer: "number", "#
                + #"status: Invalid value: "": Checked value must be of type integer (default format) in observedGeneration]"#),
        Case(
            name: "list-type set", patch: ["status": ["servedResources": ["pods", "pods", "pods"]]],
            errors: #"status.servedResources[1]: Duplicate value: "pods""#),
        Case(
            name: "condition status enum", patch: ["status": ["conditions": [condition(status: "Maybe")]]],
            errors: #"status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown""#),
        Case(
            name: "condition reason pattern", patch: ["status": ["conditions": [condition(reason: "Not OK")]]],
            errors: #"status.conditions[0].reason: Invalid value: "Not OK": conditions[0].reason in body should match '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'"#),
        Case(
            name: "condition required", patch: ["status": ["conditions": [condition().setting(["reason"], to: nil)]]],
            errors: "status.conditions[0].reason: Required value"),
        Case(
            name: "condition message length counts characters",
            patch: ["status": ["conditions": [condition(message: String(repeating: "é", count: 32_769))]]],
            errors: "status.conditions[0].message: Too long: may not be more than 32768 bytes"),
        Case(
            name: "conditions keyed by type", patch: ["status": ["conditions": [condition(), condition(status: "False")]]],
            errors: #"status.conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}"#),
    ]

    static func condition(status: String = "True", reason: String = "Serving", message: String = "ok") -> JSONValue {
        [
            "type": "Ready", "status": .string(status), "lastTransitionTime": "2024-05-01T10:00:00Z",
            "reason": .string(reason), "message": .string(message),
        ]
    }

    @Test(arguments: statusCases)
    func statusWritesAreValidatedToo(_ testCase: Case) async throws {
        try await withKubeServer { client, server in
            _ = try await client.create(Self.smm, namespace: "shop", object: mappingObject("m"))
            let before = server.object(Self.smm, namespace: "shop", name: "m")
            let error = await kubeError {
                _ = try await client.mergePatch(Self.smm, namespace: "shop", name: "m", subresource: "status", patch: testCase.patch)
            }
            #expect(error?.code == .invalid)
            #expect(error?.message == Self.invalidPrefix + testCase.errors)
            #expect(server.object(Self.smm, namespace: "shop", name: "m") == before)
        }
    }

    /// The whole Status as it goes over the wire (the client keeps only the message).
    @Test func theStatusCarriesOneCausePerError() async throws {
        try await withKubeServerPort { _, _, port in
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/apis/metrics.sysdig.com/v1alpha1/namespaces/shop/sysdigmetricmappings"))
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let object = mappingObject("m").applyingMergePatch(["spec": ["window": "15x", "sysdig": ["metric": .null]]])
            request.httpBody = object.jsonData()
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 422)
            let window = #"Invalid value: "15x": spec.window in body should match '\#(Self.durationPattern)'"#
            let expected: JSONValue = [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "reason": "Invalid", "code": 422,
                "message": .string(Self.invalidPrefix + "[spec.sysdig.metric: Required value, spec.window: \(window)]"),
                "details": [
                    "name": "m", "group": "metrics.sysdig.com", "kind": "SysdigMetricMapping",
                    "causes": [
                        ["reason": "FieldValueRequired", "message": "Required value", "field": "spec.sysdig.metric"],
                        ["reason": "FieldValueInvalid", "message": .string(window), "field": "spec.window"],
                    ],
                ],
            ]
            #expect(try JSONValue.parse(json: data) == expected)
        }
    }

    @Test func aValidStatusWithALongUnicodeMessageIsAccepted() async throws {
        try await withKubeServer { client, _ in
            _ = try await client.create(Self.smm, namespace: "shop", object: mappingObject("m"))
            let status: JSONValue = [
                "observedGeneration": 1, "servedResources": ["custom.metrics.k8s.io pods/m"],
                "conditions": [Self.condition(message: String(repeating: "é", count: 32_768))],
                "lastQuery": ["time": "2024-05-01T10:00:00.123+02:00", "outcome": "Success", "value": "1500m", "message": ""],
            ]
            let written = try await client.mergePatch(
                Self.smm, namespace: "shop", name: "m", subresource: "status", patch: ["status": status])
            #expect(written["status"] == status)
        }
    }

    @Test func mainWritesIgnoreTheStatusAndStatusWritesIgnoreTheSpec() async throws {
        try await withKubeServer { client, server in
            let created = try await client.create(
                Self.smm, namespace: "shop",
                object: mappingObject("m").setting(["status"], to: ["lastQuery": ["outcome": "Bad"]]))
            #expect(created["status"] == nil)
            let updated = try await client.update(
                Self.smm, namespace: "shop", name: "m",
                object: created.setting(["status", "observedGeneration"], to: -1).setting(["spec", "window"], to: "2m"))
            #expect(updated["status"] == nil)
            #expect(updated["spec"]?["window"] == "2m")
            _ = try await client.mergePatch(
                Self.smm, namespace: "shop", name: "m", subresource: "status",
                patch: ["spec": ["window": "15x"], "status": ["observedGeneration": 2]])
            let stored = server.object(Self.smm, namespace: "shop", name: "m")
            #expect(stored?["spec"]?["window"] == "2m")
            #expect(stored?["status"]?["observedGeneration"] == 2)
        }
    }

    @Test func unknownFieldsArePrunedOnCreateUpdateAndPatch() async throws {
        try await withKubeServer { client, server in
            let sent = mappingObject("m", labels: ["team": "shop"])
                .setting(["extra"], to: "top")
                .setting(["metadata", "madeUp"], to: "kept: metadata is not pruned")
                .setting(["spec", "extra"], to: ["nested": true])
                .setting(["spec", "sysdig", "extra"], to: 1)
                .setting(["spec", "objects"], to: [["resource": "pods", "extra": "x"]])
                .setting(["spec", "sysdig", "scope"], to: .null)
            let created = try await client.create(Self.smm, namespace: "shop", object: sent)
            let expectedSpec = mappingObject("m")["spec"]
            #expect(created["extra"] == nil)
            #expect(created["spec"] == expectedSpec)
            #expect(created["metadata"]?["madeUp"] == "kept: metadata is not pruned")
            #expect(created["metadata"]?["labels"] == ["team": "shop"])
            #expect(server.object(Self.smm, namespace: "shop", name: "m") == created)

            let updated = try await client.update(
                Self.smm, namespace: "shop", name: "m", object: created.setting(["spec", "window"], to: "2m").setting(["spec", "bogus"], to: 1))
            #expect(updated["spec"]?["bogus"] == nil)
            #expect(updated.generation == 2)
            // A patch that only adds unknown fields changes nothing: no new resourceVersion.
            let patched = try await client.mergePatch(
                Self.smm, namespace: "shop", name: "m", subresource: nil, patch: ["spec": ["bogus": 2], "other": 3])
            #expect(patched.resourceVersion == updated.resourceVersion)
        }
    }

    @Test func unknownFieldsArePrunedOnStatusWrites() async throws {
        try await withKubeServer { client, server in
            _ = try await client.create(Self.smm, namespace: "shop", object: mappingObject("m"))
            let status: JSONValue = [
                "conditions": [Self.condition().setting(["extra"], to: "x")], "extra": 1,
                "lastQuery": ["outcome": "NoData", "time": "2024-05-01T10:00:00Z", "extra": ["a": 1]],
            ]
            _ = try await client.mergePatch(
                Self.smm, namespace: "shop", name: "m", subresource: "status", patch: ["status": status])
            let stored = server.object(Self.smm, namespace: "shop", name: "m")?["status"]
            #expect(stored == ["conditions": [Self.condition()], "lastQuery": ["outcome": "NoData", "time": "2024-05-01T10:00:00Z"]])
            let object = try #require(server.object(Self.smm, namespace: "shop", name: "m"))
            _ = try await client.updateStatus(
                Self.smm, namespace: "shop", name: "m",
                object: object.setting(["status", "servedResources"], to: ["pods"]).setting(["status", "bogus"], to: true))
            #expect(server.object(Self.smm, namespace: "shop", name: "m")?["status"]?["bogus"] == nil)
            #expect(server.object(Self.smm, namespace: "shop", name: "m")?["status"]?["servedResources"] == ["pods"])
        }
    }

    static var examples: [URL] {
        let folder = CRDSchemaTests.root.appendingPathComponent("crds/examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test func thereAreExamples() {
        #expect(Self.examples.count >= 8)
    }

    @Test(arguments: SchemaEnforcementTests.examples)
    func shippedExamplesAreAcceptedUnchanged(_ file: URL) async throws {
        let documents = try JSONValue.parseYAMLDocuments(String(contentsOf: file, encoding: .utf8))
        try await withKubeServer { client, _ in
            for document in documents.map(\.value) {
                let kind = try #require(document["kind"]?.stringValue.flatMap(MappingKind.init(rawValue:)))
                let namespace = document["metadata"]?["namespace"]?.stringValue
                let created = try await client.create(KubeGVR.mappings(kind), namespace: namespace, object: document)
                #expect(created["spec"] == document["spec"], "\(file.lastPathComponent) was changed on the way in")
                #expect(created["metadata"]?["name"] == document["metadata"]?["name"])
            }
        }
    }

    @Test func aMissingNameIsReportedLikeTheAPIServer() async throws {
        try await withKubeServer { client, _ in
            let error = await kubeError {
                _ = try await client.create(Self.smm, namespace: "shop", object: mappingObject("m").setting(["metadata", "name"], to: nil))
            }
            #expect(error?.message == #"SysdigMetricMapping.metrics.sysdig.com "" is invalid: metadata.name: Required value: name or generateName is required"#)
        }
    }

    @Test func theShippedSchemasLoadAndAreServedByDefault() throws {
        for kind in MappingKind.allCases {
            let schema = try KubeCRDSchema.shipped(kind).get()
            #expect(schema.kind == kind.rawValue)
            #expect(schema.plural == kind.plural)
            #expect(schema.version == MappingKind.version)
            let served = KubeTestResource.defaults.first { $0.gvr == .mappings(kind) }
            #expect(served?.schema == .success(schema))
            #expect(KubeTestResource.withoutSchemas.first { $0.gvr == .mappings(kind) }?.schema == nil)
        }
        let directory = try KubeCRDSchema.shippedDirectory().get()
        #expect(directory.standardized.path == CRDSchemaTests.root.appendingPathComponent("crds").standardized.path)
    }

    @Test func withoutSchemasStoresWhatTheCRDWouldRefuse() async throws {
        try await withKubeServerPort(resources: KubeTestResource.withoutSchemas) { client, _, _ in
            let object = mappingObject("m").setting(["spec", "window"], to: "15x").setting(["spec", "extra"], to: 1)
            let created = try await client.create(Self.smm, namespace: "shop", object: object)
            #expect(created["spec"]?["extra"] == 1)
        }
    }

    @Test func aSchemaThatCouldNotBeLoadedFailsEveryWriteLoudly() async throws {
        var resources = KubeTestResource.defaults
        resources[0].schema = .failure(KubeCRDSchemaError("crds/ was not found"))
        try await withKubeServerPort(resources: resources) { client, _, _ in
            let error = await kubeError { _ = try await client.create(Self.smm, namespace: "shop", object: mappingObject("m")) }
            #expect(error?.httpStatus == 500)
            #expect(error?.message.contains("cannot enforce the CRD schema of sysdigmetricmappings.metrics.sysdig.com: crds/ was not found") == true)
        }
    }
}
