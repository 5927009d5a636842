import AsyncHTTPClient
import Foundation
import NIOSSL
import Shared
import Testing

@testable import MetricsServer
import TestSupport

/// Random paths, identity headers and selectors: the server always answers with a known
/// status, keeps serving, and every Sysdig filter it sends keeps its structure (one cluster
/// term, one namespace term naming the requested namespace, everything parseable).
@Suite("Fuzzed requests")
struct FuzzedRequestTests {
    static let pieces = [
        "a", "web", "shop", "*", "%2A", "'", "\"", "\\", " ", "and", " or ", "=", "!=", "in", "(", ")", ",", "..", "%",
        "%27", "%00", "\u{00e9}", "kubernetes.namespace.name", "/", "-", ".", "\n", "x=y", "app", "notin", "!",
    ]
    static let statuses: Set<Int> = [200, 400, 401, 403, 404, 405, 406, 500, 503]

    struct Generator {
        var random: SplitMix64

        mutating func text(_ maxPieces: Int = 4) -> String {
            let count = Int.random(in: 0...maxPieces, using: &random)
            return (0..<count).map { _ in FuzzedRequestTests.pieces.randomElement(using: &random) ?? "" }.joined()
        }

        mutating func pick<T>(_ choices: [T]) -> T {
            choices[Int.random(in: 0..<choices.count, using: &random)]
        }

        /// A path shaped like the API with fuzzed segments, percent-encoded so it is a legal URL.
        mutating func request() -> (path: String, namespace: String?) {
            let namespace = pick(["shop", "default", text()])
            let name = pick(["web", "*", "%2A", text()])
            let alias = pick(["cpu_usage", "queue_depth", text()])
            let resource = pick(["pods", "services", "deployments.apps", "nodes", text()])
            let group = pick(["custom.metrics.k8s.io/v1beta1", "custom.metrics.k8s.io/v1beta2", "external.metrics.k8s.io/v1beta1"])
            let shape = Int.random(in: 0..<5, using: &random)
            let segments: [String] = switch shape {
            case 0: ["apis", group, "namespaces", namespace, resource, name, alias]
            case 1: ["apis", group, "namespaces", namespace, alias]
            case 2: ["apis", group, "namespaces", namespace, "metrics", alias]
            case 3: ["apis", group, resource, name, alias]
            default: (0..<Int.random(in: 0...6, using: &random)).map { _ in text(2) }
            }
            let path = "/" + segments.map { FuzzedRequestTests.encode($0, keepSlash: $0 == group) }.joined(separator: "/")
            var query: [String] = []
            for key in ["labelSelector", "metricLabelSelector"] where Bool.random(using: &random) {
                let selector = pick(["app=web", "app in (web,api)", "app=web' or kubernetes.namespace.name = 'default", text(6)])
                query.append(key + "=" + FuzzedRequestTests.encode(selector, keepSlash: false))
            }
            return (query.isEmpty ? path : path + "?" + query.joined(separator: "&"), shape <= 2 ? namespace : nil)
        }
    }

    static func encode(_ text: String, keepSlash: Bool) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: keepSlash ? "-._~/" : "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomRequestsNeverCrashOrBendTheFilter(seed: UInt64) async throws {
        try await SecureAdapter.with() { adapter in
            adapter.allowAll()
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            do {
                try await Self.run(adapter, client: client, seed: seed)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
            #expect(try await adapter.request("/healthz").status == 200)
        }
    }

    static func run(_ adapter: SecureAdapter, client: HTTPClient, seed: UInt64) async throws {
        var generator = Generator(random: SplitMix64(seed: seed))
        for _ in 0..<60 {
            let (path, namespace) = generator.request()
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(adapter.port)\(path)")
            for header in ["X-Remote-User", "X-Remote-Group", "X-Remote-Extra-\(Self.encode(generator.text(2), keepSlash: false))a"]
                where Bool.random(using: &generator.random) {
                request.headers.add(name: header, value: generator.text(3).filter { $0.isASCII && $0 != "\n" })
            }
            let before = adapter.simulator.requests.count
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            #expect(Self.statuses.contains(Int(response.status.code)), "\(path) -> \(response.status.code)")
            for sent in adapter.simulator.requests.dropFirst(before) {
                let filter = sent.jsonBody?["filter"] as? String ?? ""
                let parsed = try? ScopeExpression.parse(filter)
                #expect(parsed != nil, "unparseable filter \(filter)")
                let terms = parsed?.terms ?? []
                #expect(terms.filter { $0.label == "kubernetes.cluster.name" }.map(\.values) == [["demo"]], "\(filter)")
                let namespaces = terms.filter { $0.label == "kubernetes.namespace.name" }.map(\.values)
                #expect(namespaces.count <= 1, "\(filter)")
                if let namespace, let values = namespaces.first {
                    #expect(values == [namespace], "\(filter)")
                }
            }
        }
    }
}
