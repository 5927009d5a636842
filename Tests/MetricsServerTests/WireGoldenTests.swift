import Foundation
import Testing

@testable import MetricsServer

/// Byte-exact comparisons against the examples in docs/metrics-api.md (custom and external metric
/// values, discovery documents).
@Suite("Wire golden JSON")
struct WireGoldenTests {
    static let timestamp = Date(timeIntervalSince1970: 1_714_564_805)
    static let pod = ObjectReference(kind: "Pod", namespace: "shop", name: "web-7d9f-abc", apiVersion: "/v1")
    static let value = CustomMetricValue(
        describedObject: pod, metricName: "http_requests", timestamp: timestamp, windowSeconds: 60, value: "105763m"
    )

    @Test func customMetricsV1Beta1() {
        let list = CustomMetricValueList(version: .v1beta1, items: [Self.value])
        #expect(list.jsonString == #"{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","metadata":{},"items":[{"describedObject":{"kind":"Pod","namespace":"shop","name":"web-7d9f-abc","apiVersion":"/v1"},"metricName":"http_requests","timestamp":"2024-05-01T12:00:05Z","window":60,"value":"105763m","selector":null}]}"# + "\n")
    }

    @Test func customMetricsV1Beta2() {
        let list = CustomMetricValueList(version: .v1beta2, items: [Self.value])
        #expect(list.jsonString == #"{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},"items":[{"describedObject":{"kind":"Pod","namespace":"shop","name":"web-7d9f-abc","apiVersion":"/v1"},"metric":{"name":"http_requests","selector":null},"timestamp":"2024-05-01T12:00:05Z","windowSeconds":60,"value":"105763m"}]}"# + "\n")
    }

    @Test func selectorAndNoWindow() {
        var value = Self.value
        value.windowSeconds = nil
        value.selector = MetricSelectorJSON(
            matchLabels: ["tier": "web", "app": "shop"],
            matchExpressions: [.init(key: "env", operator: "In", values: ["prod", "stg"]), .init(key: "x", operator: "Exists")]
        )
        let selector = #"{"matchLabels":{"app":"shop","tier":"web"},"matchExpressions":[{"key":"env","operator":"In","values":["prod","stg"]},{"key":"x","operator":"Exists"}]}"#
        #expect(CustomMetricValueV1Beta1(value).goJSON.compactString.hasSuffix(#""value":"105763m","selector":"# + selector + "}\n"))
        #expect(CustomMetricValueV1Beta2(value).goJSON.compactString.contains(#""metric":{"name":"http_requests","selector":"# + selector + "},"))
        #expect(!CustomMetricValueV1Beta2(value).goJSON.compactString.contains("window"))
        #expect(MetricSelectorJSON().jsonString == "{}\n")
    }

    @Test func emptyListsAreArrays() {
        #expect(CustomMetricValueList(version: .v1beta2, items: []).jsonString.hasSuffix(#""items":[]}"# + "\n"))
        #expect(ExternalMetricValueList(items: []).jsonString.hasSuffix(#""items":[]}"# + "\n"))
    }

    @Test func externalMetrics() {
        let list = ExternalMetricValueList(items: [
            ExternalMetricValue(metricName: "queue_depth", metricLabels: ["queue": "orders"], timestamp: Self.timestamp, windowSeconds: 60, value: "12")
        ])
        #expect(list.jsonString == #"{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[{"metricName":"queue_depth","metricLabels":{"queue":"orders"},"timestamp":"2024-05-01T12:00:05Z","window":60,"value":"12"}]}"# + "\n")
        let bare = ExternalMetricValue(metricName: "q", timestamp: Self.timestamp, value: "0")
        #expect(bare.jsonString == #"{"metricName":"q","metricLabels":{},"timestamp":"2024-05-01T12:00:05Z","value":"0"}"# + "\n")
    }

    @Test func discoveryResourceList() {
        let list = APIResourceList(groupVersion: "custom.metrics.k8s.io/v1beta1", resources: [
            APIResource(name: "pods/http_requests", namespaced: true, kind: "MetricValueList"),
            APIResource(name: "deployments.apps/http_requests", namespaced: true, kind: "MetricValueList"),
            APIResource(name: "namespaces/http_requests", namespaced: false, kind: "MetricValueList"),
        ])
        #expect(list.jsonString == #"{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"custom.metrics.k8s.io/v1beta1","resources":[{"name":"pods/http_requests","singularName":"","namespaced":true,"kind":"MetricValueList","verbs":["get"]},{"name":"deployments.apps/http_requests","singularName":"","namespaced":true,"kind":"MetricValueList","verbs":["get"]},{"name":"namespaces/http_requests","singularName":"","namespaced":false,"kind":"MetricValueList","verbs":["get"]}]}"# + "\n")
        let full = APIResource(
            name: "r", singularName: "s", namespaced: true, group: "g", version: "v", kind: "K",
            verbs: ["get", "list"], shortNames: ["x"], categories: ["all"]
        )
        #expect(full.jsonString == #"{"name":"r","singularName":"s","namespaced":true,"group":"g","version":"v","kind":"K","verbs":["get","list"],"shortNames":["x"],"categories":["all"]}"# + "\n")
    }

    @Test func discoveryGroups() {
        let group = APIGroup(name: "custom.metrics.k8s.io", versions: ["v1beta2", "v1beta1"])
        #expect(group.jsonString == #"{"kind":"APIGroup","apiVersion":"v1","name":"custom.metrics.k8s.io","versions":[{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"},{"groupVersion":"custom.metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"}}"# + "\n")
        let list = APIGroupList(groups: [APIGroup(name: "external.metrics.k8s.io", versions: ["v1beta1"])])
        #expect(list.jsonString == #"{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"external.metrics.k8s.io","versions":[{"groupVersion":"external.metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"external.metrics.k8s.io/v1beta1","version":"v1beta1"}}]}"# + "\n")
    }

    @Test func objectReferenceOmitsEmptyFields() {
        let all = ObjectReference(kind: "K", namespace: "n", name: "x", uid: "u", apiVersion: "apps/v1", resourceVersion: "7", fieldPath: "f")
        #expect(all.jsonString == #"{"kind":"K","namespace":"n","name":"x","uid":"u","apiVersion":"apps/v1","resourceVersion":"7","fieldPath":"f"}"# + "\n")
        #expect(ObjectReference().jsonString == "{}\n")
    }
}
