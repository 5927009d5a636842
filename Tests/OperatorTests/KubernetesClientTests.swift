import Foundation
import Shared
import Testing

@Suite(.timeLimit(.minutes(2))) struct KubernetesClientTests {
    let smm = KubeGVR.sysdigMetricMappings
    let csmm = KubeGVR.clusterSysdigMetricMappings

    @Test func createGetUpdateDeleteRoundTrip() async throws {
        try await withKubeServer { client, server in
            let created = try await client.create(smm, namespace: "shop", object: mappingObject("web"))
            #expect(created.generation == 1)
            #expect(created["metadata"]?["uid"]?.stringValue?.isEmpty == false)
            #expect(created["metadata"]?["creationTimestamp"]?.stringValue != nil)
            let fetched = try await client.get(smm, namespace: "shop", name: "web")
            #expect(fetched == created)

            let changed = created.setting(["spec", "window"], to: .string("2m"))
            let updated = try await client.update(smm, namespace: "shop", name: "web", object: changed)
            #expect(updated.generation == 2)
            #expect(updated.resourceVersion != created.resourceVersion)

            let cluster = try await client.create(csmm, namespace: nil, object: mappingObject("global", namespace: nil))
            #expect(cluster["metadata"]?["namespace"] == nil)

            try await client.delete(smm, namespace: "shop", name: "web")
            let missing = await kubeError { _ = try await client.get(smm, namespace: "shop", name: "web") }
            #expect(missing?.code == .notFound)
            #expect(missing?.httpStatus == 404)
            #expect(server.object(csmm, name: "global") != nil)
        }
    }

    @Test func createTwiceIsAlreadyExists() async throws {
        try await withKubeServer { client, _ in
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("web"))
            let error = await kubeError { _ = try await client.create(smm, namespace: "shop", object: mappingObject("web")) }
            #expect(error?.code == .alreadyExists)
            #expect(error?.message.contains("already exists") == true)
        }
    }

    @Test func staleResourceVersionIsConflictWithTheAPIServersMessage() async throws {
        try await withKubeServer { client, _ in
            let created = try await client.create(smm, namespace: "shop", object: mappingObject("web"))
            _ = try await client.update(
                smm, namespace: "shop", name: "web", object: created.setting(["spec", "window"], to: .string("2m")))
            let error = await kubeError {
                _ = try await client.update(
                    smm, namespace: "shop", name: "web", object: created.setting(["spec", "window"], to: .string("5m")))
            }
            #expect(error?.code == .conflict)
            #expect(error?.httpStatus == 409)
            #expect(error?.message == "Operation cannot be fulfilled on sysdigmetricmappings.metrics.sysdig.com \"web\": "
                + "the object has been modified; please apply your changes to the latest version and try again")
            let statusError = await kubeError {
                _ = try await client.updateStatus(
                    smm, namespace: "shop", name: "web", object: created.setting(["status"], to: .object([:])))
            }
            #expect(statusError?.code == .conflict)
        }
    }

    @Test func statusWritesDoNotBumpGenerationAndMainWritesIgnoreStatus() async throws {
        try await withKubeServer { client, _ in
            let created = try await client.create(smm, namespace: "shop", object: mappingObject("web"))
            let status = JSONValue.object(["observedGeneration": .number(1)])
            let withStatus = try await client.updateStatus(
                smm, namespace: "shop", name: "web", object: created.setting(["status"], to: status))
            #expect(withStatus.generation == 1)
            #expect(withStatus["status"] == status)

            let sneaky = withStatus.setting(["status"], to: .object(["observedGeneration": .number(99)]))
                .setting(["spec", "window"], to: .string("2m"))
            let updated = try await client.update(smm, namespace: "shop", name: "web", object: sneaky)
            #expect(updated["status"] == status)
            #expect(updated.generation == 2)

            let labelsOnly = updated.setting(["metadata", "labels"], to: .object(["team": .string("a")]))
            let relabelled = try await client.update(smm, namespace: "shop", name: "web", object: labelsOnly)
            #expect(relabelled.generation == 2)
        }
    }

    @Test func mergePatchFollowsRFC7386() async throws {
        try await withKubeServer { client, _ in
            var object = mappingObject("web")
            object = object.setting(["spec", "multiplier"], to: .number(2))
            _ = try await client.create(smm, namespace: "shop", object: object)
            func condition(_ type: String, _ status: String) -> JSONValue {
                .object([
                    "type": .string(type), "status": .string(status), "reason": .string("Test"), "message": .string(""),
                    "lastTransitionTime": .string("2024-05-01T12:00:00Z"),
                ])
            }
            let conditions = JSONValue.array([condition("Ready", "True")])
            _ = try await client.mergePatch(
                smm, namespace: "shop", name: "web", subresource: "status",
                patch: .object(["status": .object(["conditions": conditions, "observedGeneration": .number(1)])]))
            let replaced = JSONValue.array([condition("Valid", "False")])
            let patched = try await client.mergePatch(
                smm, namespace: "shop", name: "web", subresource: "status",
                patch: .object(["status": .object(["conditions": replaced])]))
            #expect(patched["status"]?["conditions"] == replaced)
            #expect(patched["status"]?["observedGeneration"] == .number(1))
            #expect(patched.generation == 1)

            let main = try await client.mergePatch(
                smm, namespace: "shop", name: "web", subresource: nil,
                patch: .object(["spec": .object(["multiplier": .null, "window": .string("2m")])]))
            #expect(main["spec"]?["multiplier"] == nil)
            #expect(main["spec"]?["window"] == .string("2m"))
            #expect(main["spec"]?["metricName"] == .string("web"))
            #expect(main.generation == 2)

            let stale = await kubeError {
                _ = try await client.mergePatch(
                    smm, namespace: "shop", name: "web", subresource: nil,
                    patch: .object(["metadata": .object(["resourceVersion": .string("1")]), "spec": .object([:])]))
            }
            #expect(stale?.code == .conflict)
        }
    }

    @Test func listPagesAcrossNamespacesAndOne() async throws {
        try await withKubeServer { client, _ in
            for index in 0..<7 {
                _ = try await client.create(
                    smm, namespace: index.isMultiple(of: 2) ? "a" : "b", object: mappingObject("m\(index)", namespace: nil)
                        .setting(["kind"], to: .string("SysdigMetricMapping")))
            }
            let first = try await client.list(smm, namespace: nil, options: ListOptions(limit: 3))
            #expect(first.items.count == 3)
            #expect(first.continueToken != nil)
            let all = try await client.listAll(smm, namespace: nil, pageSize: 3)
            #expect(all.items.count == 7)
            #expect(Set(all.items.compactMap(\.name)).count == 7)
            #expect(all.resourceVersion == first.resourceVersion)
            let onlyA = try await client.listAll(smm, namespace: "a", pageSize: 2)
            #expect(onlyA.items.count == 4)
            let empty = try await client.list(csmm, namespace: nil, options: ListOptions())
            #expect(empty.items.isEmpty && empty.continueToken == nil)
        }
    }

    @Test func pagesAreAConsistentSnapshot() async throws {
        try await withKubeServer { client, server in
            for index in 0..<4 { _ = try await client.create(smm, namespace: "shop", object: mappingObject("m\(index)")) }
            let first = try await client.list(smm, namespace: "shop", options: ListOptions(limit: 2))
            try server.remove(smm, namespace: "shop", name: "m3")
            _ = try server.seed(smm, namespace: "shop", object: mappingObject("m9"))
            let second = try await client.list(
                smm, namespace: "shop", options: ListOptions(limit: 2, continueToken: first.continueToken))
            #expect(second.items.compactMap(\.name) == ["m2", "m3"])
            #expect(second.continueToken == nil)
        }
    }

    @Test func expiredContinueTokenRestartsListAll() async throws {
        try await withKubeServer { client, server in
            for index in 0..<4 { _ = try await client.create(smm, namespace: "shop", object: mappingObject("m\(index)")) }
            let first = try await client.list(smm, namespace: "shop", options: ListOptions(limit: 2))
            try server.remove(smm, namespace: "shop", name: "m0")
            server.compact()
            let error = await kubeError {
                _ = try await client.list(smm, namespace: "shop", options: ListOptions(limit: 2, continueToken: first.continueToken))
            }
            #expect(error?.code == .gone)
            #expect(error?.httpStatus == 410)
            // listAll restarts from scratch when a continue token expires mid-list.
            let before = server.requests.count
            server.injectFaults(count: 1, status: 410, pathContains: "continue=")
            let all = try await client.listAll(smm, namespace: "shop", pageSize: 2)
            #expect(all.items.compactMap(\.name) == ["m1", "m2", "m3"])
            #expect(server.requests.count - before == 4)
        }
    }

    @Test func labelSelectorFiltersLists() async throws {
        try await withKubeServer { client, _ in
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("a", labels: ["tier": "web"]))
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("b", labels: ["tier": "db"]))
            let web = try await client.list(smm, namespace: "shop", options: ListOptions(labelSelector: "tier=web"))
            #expect(web.items.compactMap(\.name) == ["a"])
        }
    }

    @Test(arguments: [
        (401, KubeAPIError.Code.unauthorized), (403, .forbidden), (404, .notFound), (410, .gone), (422, .invalid),
        (429, .tooManyRequests), (500, .serverError), (503, .serviceUnavailable), (504, .timeout),
    ])
    func statusCodesAreTyped(status: Int, code: KubeAPIError.Code) {
        let body = Data(#"{"kind":"Status","status":"Failure","message":"boom","reason":"X","code":1}"#.utf8)
        let error = KubeAPIError.fromResponse(httpStatus: status, body: body, retryAfter: "3", operation: "GET /x")
        #expect(error.code == code)
        #expect(error.message == "boom")
        #expect(error.retryAfter == (status == 429 || status >= 500 ? .seconds(3) : nil))
    }

    @Test func retriesAfterRetryAfterThenSucceeds() async throws {
        try await withKubeServer { client, server in
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("web"))
            server.injectFaults(count: 2, status: 429, retryAfter: 0)
            _ = try await client.get(smm, namespace: "shop", name: "web")
            #expect(server.requests.filter { $0.method == "GET" }.count == 3)
        }
    }

    @Test func retryLimitSurfacesTheTypedError() async throws {
        try await withKubeServer(maxRetries: 1) { client, server in
            server.injectFaults(count: 2, status: 500, retryAfter: 0)
            let error = await kubeError { _ = try await client.get(smm, namespace: "shop", name: "web") }
            #expect(error?.code == .serverError)
            #expect(error?.retryAfter == .zero)
            #expect(server.requests.count == 2)
            server.injectFaults(count: 1, status: 503)
            let noRetry = await kubeError { _ = try await client.get(smm, namespace: "shop", name: "web") }
            #expect(noRetry?.code == .serviceUnavailable)
        }
    }

    @Test func bearerTokenIsSentAndNeverInErrors() async throws {
        let token = "secret-token-abc123"
        try await withKubeServer(token: token) { client, server in
            server.requireToken(token)
            _ = try await client.list(smm, namespace: nil, options: ListOptions())
            #expect(server.requests.last?.bearerToken == token)
            server.requireToken("another")
            let error = await kubeError { _ = try await client.list(smm, namespace: nil, options: ListOptions()) }
            #expect(error?.code == .unauthorized)
            #expect(error.map { !"\($0)".contains(token) } == true)
        }
        let refused = try KubernetesClient(
            configuration: KubernetesConfiguration(server: "http://127.0.0.1:1", token: StaticKubeToken(token), maxRetries: 0),
            requestTimeout: .seconds(1))
        let error = await kubeError { _ = try await refused.get(smm, namespace: "shop", name: "web") }
        try await refused.shutdown()
        #expect(error?.code == .transport || error?.code == .timeout)
        #expect(error.map { !"\($0)".contains(token) } == true)
    }

    @Test func echoedTokenIsScrubbed() {
        let body = Data(#"{"message":"token secret-xyz is invalid"}"#.utf8)
        let error = KubeAPIError.fromResponse(httpStatus: 401, body: body, retryAfter: nil, operation: "GET /")
        let scrubbed = error.scrubbed(of: "secret-xyz")
        #expect(!scrubbed.message.contains("secret-xyz"))
        #expect(scrubbed.message.contains("<redacted>"))
    }
}
