import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// The real `KubernetesAPI`: the Kubernetes REST API over AsyncHTTPClient, with the TLS
/// material and credentials of a `KubernetesConfiguration` (docs/kubernetes-api.md).
///
/// Every request passes the client-side token bucket first; a 429 or 5xx carrying
/// `Retry-After` is retried up to `configuration.maxRetries` times. All failures are
/// `KubeAPIError`s and never contain the bearer token. The client owns its `HTTPClient`:
/// call `shutdown()` when done.
public final class KubernetesClient: KubernetesAPI {
    /// Where requests go and how they authenticate.
    public let configuration: KubernetesConfiguration
    /// The client-side QPS/burst limiter every request passes.
    public let rateLimiter: KubeRateLimiter
    let httpClient: HTTPClient
    let logger: Logger
    let requestTimeout: Duration

    /// - Parameters:
    ///   - configuration: server, TLS, credentials, limits.
    ///   - requestTimeout: bound on each non-watch request, connect to last body byte.
    ///   - logger: request lines at debug level; never receives the token.
    /// - Throws: `.configuration` when the PEM material cannot be parsed.
    public init(
        configuration: KubernetesConfiguration, requestTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "kubernetes-client")
    ) throws(KubeAPIError) {
        self.configuration = configuration
        self.rateLimiter = KubeRateLimiter(qps: configuration.qps, burst: configuration.burst)
        self.requestTimeout = requestTimeout
        self.logger = logger
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.tlsConfiguration = try Self.makeTLSConfiguration(configuration)
        httpConfiguration.timeout = .init(connect: .seconds(10))
        httpConfiguration.redirectConfiguration = .disallow
        self.httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    }

    /// Closes the connections. Open watch streams end with a transport error.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    static func makeTLSConfiguration(_ configuration: KubernetesConfiguration) throws(KubeAPIError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if configuration.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        }
        do {
            if let ca = configuration.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca)))
            }
        } catch {
            throw KubeAPIError(code: .configuration, message: "the certificate authority is not a valid PEM bundle")
        }
        if let certificate = configuration.clientCertificatePEM, let key = configuration.clientKeyPEM {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate)).map { .certificate($0) }
            } catch {
                throw KubeAPIError(code: .configuration, message: "the client certificate is not valid PEM")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key), format: .pem))
            } catch {
                throw KubeAPIError(code: .configuration, message: "the client key is not a valid PEM private key")
            }
        }
        return tls
    }

    // MARK: KubernetesAPI

    public func get(_ resource: KubeGVR, namespace: String?, name: String) async throws -> JSONValue {
        try await send(.GET, Self.path(resource, namespace: namespace, name: name))
    }

    public func list(_ resource: KubeGVR, namespace: String?, options: ListOptions) async throws -> KubeObjectList {
        var query: [(String, String)] = []
        if let limit = options.limit { query.append(("limit", String(limit))) }
        if let token = options.continueToken, !token.isEmpty { query.append(("continue", token)) }
        if let version = options.resourceVersion { query.append(("resourceVersion", version)) }
        if let selector = options.labelSelector, !selector.isEmpty { query.append(("labelSelector", selector)) }
        if let selector = options.fieldSelector, !selector.isEmpty { query.append(("fieldSelector", selector)) }
        let path = Self.path(resource, namespace: namespace)
        let answer = try await send(.GET, path, query: query)
        let items: [JSONValue]? = answer["items"] == .null ? [] : answer["items"]?.arrayValue
        guard let items, let metadata = answer["metadata"] else {
            throw KubeAPIError(code: .badResponse, message: "the list answer for \(path) has no items", httpStatus: 200)
        }
        let continueToken = metadata["continue"]?.stringValue
        return KubeObjectList(
            resourceVersion: metadata["resourceVersion"]?.stringValue ?? "",
            continueToken: continueToken?.isEmpty == true ? nil : continueToken, items: items)
    }

    public func create(_ resource: KubeGVR, namespace: String?, object: JSONValue) async throws -> JSONValue {
        try await send(.POST, Self.path(resource, namespace: namespace), body: object)
    }

    public func update(_ resource: KubeGVR, namespace: String?, name: String, object: JSONValue) async throws -> JSONValue {
        try await send(.PUT, Self.path(resource, namespace: namespace, name: name), body: object)
    }

    public func updateStatus(_ resource: KubeGVR, namespace: String?, name: String, object: JSONValue) async throws
        -> JSONValue
    {
        try await send(.PUT, Self.path(resource, namespace: namespace, name: name, subresource: "status"), body: object)
    }

    public func mergePatch(
        _ resource: KubeGVR, namespace: String?, name: String, subresource: String?, patch: JSONValue
    ) async throws -> JSONValue {
        try await send(
            .PATCH, Self.path(resource, namespace: namespace, name: name, subresource: subresource), body: patch,
            contentType: "application/merge-patch+json")
    }

    public func delete(_ resource: KubeGVR, namespace: String?, name: String) async throws {
        _ = try await send(.DELETE, Self.path(resource, namespace: namespace, name: name))
    }

    /// `{prefix}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]` (docs/kubernetes-api.md, "Request paths").
    public static func path(
        _ resource: KubeGVR, namespace: String?, name: String? = nil, subresource: String? = nil
    ) -> String {
        var path = resource.apiPrefix
        if resource.namespaced, let namespace, !namespace.isEmpty { path += "/namespaces/\(escape(namespace))" }
        path += "/\(resource.resource)"
        if let name { path += "/\(escape(name))" }
        if let subresource, !subresource.isEmpty { path += "/\(subresource)" }
        return path
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
