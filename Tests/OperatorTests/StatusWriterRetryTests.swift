import Foundation
@_spi(Testing) @testable import Operator
import Shared
import Testing

extension StatusWriterTests {
    /// Publishes only name the keys that changed, so a write that gave up must be
    /// looked at again on the next publish although its object did not change.
    @Test func aWriteThatGaveUpIsRetriedOnTheNextPublish() async throws {
        try await Self.withHarness { harness in
            let server = harness.server
            server.injectFaults(count: 5, status: 500, pathContains: "/status")
            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("a", alias: "a"))
            await harness.settle(harness.caughtUp([Self.key("a")]))
            #expect(harness.statusWrites == 5)  // every attempt failed
            #expect(harness.object(Self.key("a"))?["status"] == nil)

            try server.seed(Self.smm, namespace: "shop", object: Self.mapping("b", alias: "b"))
            await server.waitUntil { snapshot in
                ["a", "b"].allSatisfy {
                    snapshot.object(Self.smm, namespace: "shop", name: $0)?.condition("Ready")?["status"]?.stringValue == "True"
                }
            }
            await harness.settle(harness.caughtUp([Self.key("a"), Self.key("b")]))
            #expect(harness.writer.writeCount == 2)
        }
    }
}
