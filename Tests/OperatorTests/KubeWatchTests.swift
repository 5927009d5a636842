import Foundation
import Shared
import Testing

@Suite(.timeLimit(.minutes(2))) struct KubeWatchTests {
    let smm = KubeGVR.sysdigMetricMappings

    static func line(_ type: String, _ name: String, _ version: Int) -> String {
        #"{"type":"\#(type)","object":{"metadata":{"name":"\#(name)","resourceVersion":"\#(version)"}}}"# + "\n"
    }

    @Test(arguments: [1, 2, 3, 7, 50, 1000])
    func decoderHandlesAnySplit(chunkSize: Int) throws {
        let text = Self.line("ADDED", "a", 1) + Self.line("MODIFIED", "a", 2) + "\n" + Self.line("DELETED", "a", 3)
        let bytes = Array(text.utf8)
        var decoder = WatchEventDecoder()
        var events: [WatchEvent] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunkSize)
            events += try decoder.feed(bytes[offset..<end])
            offset = end
        }
        #expect(try decoder.finish() == nil)
        #expect(events.map(\.type) == [.added, .modified, .deleted])
        #expect(events.map(\.resourceVersion) == ["1", "2", "3"])
    }

    @Test func decoderTakesAFinalEventWithoutNewlineAndRejectsGarbage() throws {
        var decoder = WatchEventDecoder()
        #expect(try decoder.feed(Array(Self.line("ADDED", "a", 1).dropLast().utf8)).isEmpty)
        #expect(try decoder.finish()?.type == .added)
        var broken = WatchEventDecoder()
        #expect(throws: KubeAPIError.self) { _ = try broken.feed(Array("{\"type\":\"ADDED\"\n".utf8)) }
        var unknown = WatchEventDecoder()
        #expect(throws: KubeAPIError.self) { _ = try unknown.feed(Array(#"{"type":"WHAT","object":{}}"#.utf8) + [10]) }
    }

    @Test(arguments: [nil, 1, 5, 13] as [Int?])
    func watchFromZeroReplaysThenStreams(chunkSize: Int?) async throws {
        try await withKubeServer { client, server in
            server.setWatchChunkSize(chunkSize)
            for name in ["a", "b", "c"] { _ = try await client.create(smm, namespace: "shop", object: mappingObject(name)) }
            let stream = try await client.watch(smm, namespace: nil, options: WatchOptions(resourceVersion: "0"))
            var iterator = stream.makeAsyncIterator()
            var names: [String] = []
            for _ in 0..<3 {
                let event = try await iterator.next()
                names.append(event?.object.name ?? "")
            }
            #expect(names == ["a", "b", "c"])
            try server.remove(smm, namespace: "shop", name: "b")
            let deleted = try await iterator.next()
            #expect(deleted?.type == .deleted)
            #expect(deleted?.object.name == "b")
            #expect(deleted?.resourceVersion == String(server.resourceVersion))
        }
    }

    @Test func watchFromAResourceVersionResumesAndEndsOnDisconnect() async throws {
        try await withKubeServer { client, server in
            let list = try await client.listAll(smm, namespace: nil)
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("a"))
            _ = try await client.mergePatch(
                smm, namespace: "shop", name: "a", subresource: nil, patch: .object(["spec": .object(["window": .string("2m")])]))
            let stream = try await client.watch(smm, namespace: "shop", options: WatchOptions(resourceVersion: list.resourceVersion))
            var seen: [WatchEvent.EventType] = []
            var iterator = stream.makeAsyncIterator()
            for _ in 0..<2 {
                let event = try await iterator.next()
                seen.append(try #require(event).type)
            }
            #expect(seen == [.added, .modified])
            server.disconnectAllWatches()
            let end = try await iterator.next()
            #expect(end == nil)
        }
    }

    @Test func bookmarksCarryTheCurrentResourceVersion() async throws {
        try await withKubeServer { client, server in
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("a"))
            let start = String(server.resourceVersion)
            let stream = try await client.watch(smm, namespace: nil, options: WatchOptions(resourceVersion: start))
            let noBookmarks = try await client.watch(
                smm, namespace: nil, options: WatchOptions(resourceVersion: start, allowWatchBookmarks: false))
            await server.waitUntil { $0.openWatches == 2 }
            _ = try server.seed(.configMaps, namespace: "shop", object: .object(["metadata": .object(["name": .string("x")])]))
            server.sendBookmarks()
            var iterator = stream.makeAsyncIterator()
            let next = try await iterator.next()
            let bookmark = try #require(next)
            #expect(bookmark.type == .bookmark)
            #expect(bookmark.resourceVersion == String(server.resourceVersion))
            #expect(bookmark.object["kind"] == .string("SysdigMetricMapping"))
            server.disconnectAllWatches()
            var others: [WatchEvent] = []
            for try await event in noBookmarks { others.append(event) }
            #expect(others.isEmpty)
        }
    }

    @Test func compactedResourceVersionIsExpiredAsAnErrorEvent() async throws {
        try await withKubeServer { client, server in
            let old = try await client.create(smm, namespace: "shop", object: mappingObject("a"))
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("b"))
            server.compact()
            let stream = try await client.watch(smm, namespace: nil, options: WatchOptions(resourceVersion: old.resourceVersion))
            var events: [WatchEvent] = []
            for try await event in stream { events.append(event) }
            #expect(events.count == 1)
            #expect(events.first?.type == .error)
            let error = try KubeAPIError(status: #require(events.first?.object))
            #expect(error.code == .gone)
            #expect(error.message.hasPrefix("too old resource version"))
        }
    }

    @Test func compactedResourceVersionIsExpiredAsHTTPStatus() async throws {
        try await withKubeServer { client, server in
            let old = try await client.create(smm, namespace: "shop", object: mappingObject("a"))
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("b"))
            server.compact()
            server.setExpiredWatchMode(.httpStatus)
            let error = await kubeError {
                _ = try await client.watch(smm, namespace: nil, options: WatchOptions(resourceVersion: old.resourceVersion))
            }
            #expect(error?.code == .gone)
            #expect(error?.httpStatus == 410)
        }
    }

    @Test func cancellingTheConsumerClosesTheWatch() async throws {
        try await withKubeServer { client, server in
            let task = Task {
                let stream = try await client.watch(smm, namespace: nil, options: WatchOptions())
                for try await _ in stream {}
            }
            await server.waitUntil { $0.openWatches == 1 }
            task.cancel()
            // The consumer's loop ends (with a cancellation error or normally) instead of hanging.
            _ = try? await task.value
            #expect(task.isCancelled)
        }
    }

    @Test func watchesFollowTheNamespaceAndLabelSelector() async throws {
        try await withKubeServer { client, server in
            let stream = try await client.watch(
                smm, namespace: "shop", options: WatchOptions(labelSelector: "tier=web"))
            await server.waitUntil { $0.openWatches == 1 }
            _ = try await client.create(smm, namespace: "other", object: mappingObject("x", namespace: "other", labels: ["tier": "web"]))
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("y", labels: ["tier": "db"]))
            _ = try await client.create(smm, namespace: "shop", object: mappingObject("z", labels: ["tier": "web"]))
            var iterator = stream.makeAsyncIterator()
            let event = try await iterator.next()
            #expect(event?.object.name == "z")
        }
    }
}
