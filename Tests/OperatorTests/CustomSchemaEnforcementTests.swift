import Foundation
import Shared
import Testing
import TestSupport

/// Schema features the shipped CRDs do not use yet (item counts, exclusive bounds,
/// multipleOf, nullable, int-or-string, formats, additionalProperties, preserved unknown
/// fields), enforced on a made-up `Widget` CRD; and the CRDs the loader refuses.
@Suite(.timeLimit(.minutes(1))) struct CustomSchemaEnforcementTests {
    static let widgets = KubeGVR(group: "example.com", version: "v1", resource: "widgets", namespaced: true)

    static let crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              subresources: {status: {}}
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      properties:
                        tags: {type: array, minItems: 1, maxItems: 2, items: {type: string}}
                        replicas: {type: integer, minimum: 1, maximum: 10, exclusiveMaximum: true}
                        step: {type: integer, multipleOf: 5}
                        ratio: {type: number, minimum: 0.5}
                        note: {type: string, nullable: true}
                        port: {x-kubernetes-int-or-string: true}
                        day: {type: string, format: date}
                        size: {type: integer, format: int32}
                        labels: {type: object, additionalProperties: {type: string}}
                        level: {type: integer, enum: [1, 2]}
                        extra:
                          type: object
                          x-kubernetes-preserve-unknown-fields: true
                          properties:
                            known: {type: object, properties: {a: {type: string}}}
        """

    static func server<T: Sendable>(_ body: (KubernetesClient, KubeAPITestServer) async throws -> T) async throws -> T {
        let schema = try KubeCRDSchema(yaml: crd, origin: "widgets.yaml")
        let resource = KubeTestResource(gvr: widgets, kind: "Widget", hasStatusSubresource: true, schema: .success(schema))
        return try await withKubeServerPort(resources: [resource]) { client, server, _ in try await body(client, server) }
    }

    static func widget(_ spec: JSONValue) -> JSONValue {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": spec]
    }

    static let refusals: [(spec: JSONValue, errors: String)] = [
        (["tags": []], "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"),
        (["tags": ["a", "b", "c"]], "spec.tags: Too many: 3: must have at most 2 items"),
        (["replicas": 10], "spec.replicas: Invalid value: 10: spec.replicas in body should be less than 10"),
        (["replicas": 0], "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"),
        (["step": 7], "spec.step: Invalid value: 7: spec.step in body should be a multiple of 5"),
        (["ratio": 0.25], "spec.ratio: Invalid value: 0.25: spec.ratio in body should be greater than or equal to 0.5"),
        (["port": true], #"spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#),
        (["day": "2024-02-30"], #"spec.day: Invalid value: "2024-02-30": spec.day in body must be of type date: "2024-02-30""#),
        (["labels": ["a": 1]], #"spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer""#),
        (["level": 3], #"spec.level: Unsupported value: 3: supported values: "1", "2""#),
        (["note": 1.5], #"spec.note: Invalid value: "number": spec.note in body must be of type string: "number""#),
    ]

    @Test(arguments: 0..<refusals.count)
    func refusesLikeTheAPIServer(_ index: Int) async throws {
        let (spec, errors) = Self.refusals[index]
        try await Self.server { client, _ in
            let error = await kubeError { _ = try await client.create(Self.widgets, namespace: "ns", object: Self.widget(spec)) }
            #expect(error?.message == #"Widget.example.com "w" is invalid: "# + errors)
        }
    }

    @Test func acceptsWhatTheSchemaAllowsAndPrunesOnlyUndeclaredFields() async throws {
        try await Self.server { client, _ in
            let spec: JSONValue = [
                "tags": ["a"], "replicas": 9, "step": 10, "ratio": 0.5, "note": .null, "port": "http", "day": "2024-02-29",
                "size": 1.0, "labels": ["a": "b"], "level": 2,
                "extra": ["anything": ["goes": 1], "known": ["a": "x", "dropped": 1]],
            ]
            let created = try await client.create(Self.widgets, namespace: "ns", object: Self.widget(spec))
            #expect(created["spec"] == spec.setting(["extra", "known", "dropped"], to: nil))
            let numericPort = try await client.mergePatch(
                Self.widgets, namespace: "ns", name: "w", subresource: nil, patch: ["spec": ["port": 80]])
            #expect(numericPort["spec"]?["port"] == 80)
        }
    }

    @Test func loaderRefusesWhatTheServerCannotEnforce() throws {
        let cases: [(schema: String, says: String)] = [
            ("{type: object, allOf: [{required: [spec]}]}", "openAPIV3Schema.allOf: KubeAPITestServer does not enforce this schema keyword"),
            ("{type: object, properties: {id: {type: string, format: uuid}}}", "the API server validates format uuid, but KubeAPITestServer does not"),
            ("{type: object, properties: {a: {type: string, pattern: '[[:alpha:]]'}}}", "POSIX classes"),
            ("{type: object, properties: {a: {type: string, pattern: '^(?=a)'}}}", "look-around is not supported by Go's RE2"),
            ("{type: object, properties: {a: {type: string, minLenght: 1}}}", "properties.a.minLenght: KubeAPITestServer does not enforce"),
        ]
        let anchor = try #require(Self.crd.range(of: "openAPIV3Schema:"))
        for (schema, says) in cases {
            let yaml = String(Self.crd[..<anchor.upperBound]) + " " + schema + "\n"
            do {
                _ = try KubeCRDSchema(yaml: yaml, origin: "bad.yaml")
                Issue.record("\(schema) was accepted")
            } catch {
                #expect(error.message.contains(says), "\(error.message)")
                #expect(error.message.hasPrefix("bad.yaml: "))
            }
        }
    }
}
