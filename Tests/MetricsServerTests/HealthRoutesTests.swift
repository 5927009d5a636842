import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import MetricsServer

final class Flag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set(_ value: Bool) { state.withLock { $0 = value } }
}

@Suite("Health routes")
struct HealthRoutesTests {
    static func makeApp(ready: Flag) -> some ApplicationProtocol {
        let router = Router()
        router.addHealthRoutes(HealthChecks(readyz: [HealthCheck(name: "config-synced") { ready.value }]))
        return Application(router: router)
    }

    @Test(arguments: ["healthz", "livez", "readyz"])
    func rootsAnswerOK(endpoint: String) async throws {
        let ready = Flag()
        ready.set(true)
        try await Self.makeApp(ready: ready).test(.router) { client in
            try await client.execute(uri: "/\(endpoint)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            try await client.execute(uri: "/\(endpoint)?verbose", method: .get) { response in
                let checks = endpoint == "readyz" ? "[+]ping ok\n[+]config-synced ok\n" : "[+]ping ok\n"
                #expect(String(buffer: response.body) == checks + "\(endpoint) check passed\n")
            }
            try await client.execute(uri: "/\(endpoint)/ping", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
            }
            try await client.execute(uri: "/\(endpoint)/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func readyzFailsUntilCheckPasses() async throws {
        let ready = Flag()
        try await Self.makeApp(ready: ready).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body) == "[+]ping ok\n[-]config-synced failed: reason withheld\nreadyz check failed\n")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            try await client.execute(uri: "/readyz/config-synced", method: .get) { response in
                #expect(response.status == .internalServerError)
            }
            try await client.execute(uri: "/livez", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/readyz?exclude=config-synced&exclude=other&verbose", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == """
                    [+]ping ok
                    [+]config-synced excluded: ok
                    warn: some health checks cannot be excluded: no matches for "other"
                    readyz check passed

                    """)
            }
            ready.set(true)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
            }
        }
    }
}
