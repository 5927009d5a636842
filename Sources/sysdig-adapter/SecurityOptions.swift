import ArgumentParser
import Foundation
import Logging
import MetricsServer
import ServiceLifecycle
import Shared

/// Who may call the adapter: delegated authentication (front proxy, client certificates,
/// TokenReview) and authorization (SubjectAccessReview), or none for local use.
struct SecurityOptions: ParsableArguments {
    enum AuthenticationMode: String, ExpressibleByArgument, CaseIterable {
        case delegated, none
    }

    enum AuthorizationMode: String, ExpressibleByArgument, CaseIterable {
        case delegated
        case alwaysAllow = "always-allow"
    }

    @Option(help: "delegated (front proxy, client certificates, TokenReview) or none. Default: delegated in kubernetes mode, none in files mode.")
    var authenticationMode: AuthenticationMode?

    @Option(help: "delegated (SubjectAccessReview) or always-allow. Default: delegated in kubernetes mode, always-allow in files mode.")
    var authorizationMode: AuthorizationMode?

    @Flag(help: "Let --authentication-mode none / --authorization-mode always-allow listen on a non-loopback address.")
    var allowInsecureServing = false

    @Option(help: "CA bundle that signs the front proxy's client certificate (instead of the extension-apiserver-authentication ConfigMap).")
    var requestheaderClientCAFile: String?

    @Option(help: "Comma-separated common names the front proxy's certificate may carry (empty: any).")
    var requestheaderAllowedNames: String?

    @Option(help: "Comma-separated user name headers.")
    var requestheaderUsernameHeaders = "X-Remote-User"

    @Option(help: "Comma-separated group headers.")
    var requestheaderGroupHeaders = "X-Remote-Group"

    @Option(help: "Comma-separated prefixes of extra-attribute headers.")
    var requestheaderExtraHeadersPrefix = "X-Remote-Extra-"

    @Option(help: "CA bundle for client-certificate authentication (instead of the ConfigMap).")
    var clientCAFile: String?

    @Option(help: "Seconds between reads of the extension-apiserver-authentication ConfigMap.")
    var authenticationConfigRefresh: Double = 60

    @Option(help: "Seconds a TokenReview answer is cached.")
    var authenticationTokenWebhookCacheTTL: Double = 10

    @Option(help: "Seconds an allowed SubjectAccessReview is cached.")
    var authorizationWebhookCacheAuthorizedTTL: Double = 10

    @Option(help: "Seconds a denied SubjectAccessReview is cached.")
    var authorizationWebhookCacheUnauthorizedTTL: Double = 10

    @Option(help: "Requests served at once; more are answered 429 at once (/healthz, /livez, /readyz exempt). 0: no limit.")
    var maxRequestsInflight = 400

    @Option(help: "Seconds a request may take before it is answered 504 Timeout. 0: no limit.")
    var requestTimeout: Double = 60

    @Option(help: "Seconds a new connection gets to complete its TLS handshake before it is closed. 0: no limit.")
    var tlsHandshakeTimeout: Double = 10

    @Option(help: "Seconds a connection gets to send a complete request header (after its handshake, or after its first byte following a response). 0: no limit.")
    var readHeaderTimeout: Double = 32

    @Option(help: "Seconds a keep-alive connection may stay silent after a response before it is closed. 0: no limit.")
    var idleTimeout: Double = 90

    @Option(help: "Open connections at most; more are closed as soon as they are accepted. 0: no limit.")
    var maxConnections = ServerLimits.defaultMaxConnections

    @Option(help: "Oldest TLS version accepted: VersionTLS12 or VersionTLS13.")
    var tlsMinVersion = "VersionTLS12"

    @Option(help: "Comma-separated TLS 1.2 cipher suites, Go/IANA names (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256). Default: ECDHE with AES-GCM or ChaCha20-Poly1305; CBC, static-RSA, RC4 and 3DES suites are refused. TLS 1.3 suites are always enabled.")
    var tlsCipherSuites = ""

    /// Longest a TokenReview or SubjectAccessReview waits for the review client's rate limit
    /// (200/s): past it (over 200 reviews queued ahead) it fails at once and the request is
    /// answered 429, so a flood of bogus tokens or paths cannot delay legitimate callers for
    /// long (client-go fails such a wait when it would pass the request's deadline).
    static let reviewRateLimitMaxWait: Duration = .seconds(1)

    /// What the server needs, plus the services (ConfigMap refresh, client lifetime) to run.
    struct Resolved {
        var authenticator: RequestAuthenticator?
        var authorizer: SubjectAccessReviewer?
        var services: [any Service]
        /// `--max-requests-inflight`, `--request-timeout`, `--*-timeout`, `--max-connections`.
        var limits = ServerLimits()
        /// `--tls-min-version`, `--tls-cipher-suites`.
        var tls = TLSPolicy()
    }

    func validate() throws {
        for (name, value) in [
            ("--authentication-config-refresh", authenticationConfigRefresh),
            ("--authentication-token-webhook-cache-ttl", authenticationTokenWebhookCacheTTL),
            ("--authorization-webhook-cache-authorized-ttl", authorizationWebhookCacheAuthorizedTTL),
            ("--authorization-webhook-cache-unauthorized-ttl", authorizationWebhookCacheUnauthorizedTTL),
            ("--request-timeout", requestTimeout), ("--tls-handshake-timeout", tlsHandshakeTimeout),
            ("--read-header-timeout", readHeaderTimeout), ("--idle-timeout", idleTimeout),
        ] where !(0...3600).contains(value) {
            throw ValidationError("\(name) must be 0-3600 seconds")
        }
        if authenticationConfigRefresh < 1 { throw ValidationError("--authentication-config-refresh must be at least 1 second") }
        if maxRequestsInflight < 0 { throw ValidationError("--max-requests-inflight must be 0 (no limit) or more") }
        if maxConnections < 0 { throw ValidationError("--max-connections must be 0 (no limit) or more") }
        _ = try tlsPolicy()
    }

    /// The connection and request limits the flags ask for.
    func serverLimits() -> ServerLimits {
        ServerLimits(
            maxRequestsInFlight: maxRequestsInflight, requestTimeout: Self.timeout(requestTimeout),
            tlsHandshakeTimeout: Self.timeout(tlsHandshakeTimeout), readHeaderTimeout: Self.timeout(readHeaderTimeout),
            idleTimeout: Self.timeout(idleTimeout), maxConnections: maxConnections)
    }

    /// The TLS policy the flags ask for.
    func tlsPolicy() throws -> TLSPolicy {
        do throws(TLSPolicyError) {
            return try TLSPolicy.parse(minimumVersion: tlsMinVersion, cipherSuites: tlsCipherSuites)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// Chooses the modes, refuses insecure serving on a non-loopback address, and builds
    /// the authenticator and authorizer with their own Kubernetes client.
    func resolve(kubernetesMode: Bool, bindAddress: String, kubeconfig: String?, logger: Logger) throws -> Resolved {
        let authentication = authenticationMode ?? (kubernetesMode ? .delegated : .none)
        let authorization = authorizationMode ?? (kubernetesMode ? .delegated : .alwaysAllow)
        if authentication == .none || authorization == .alwaysAllow {
            let modes = "--authentication-mode \(authentication.rawValue) --authorization-mode \(authorization.rawValue)"
            if !Self.isLoopback(bindAddress) && !allowInsecureServing {
                throw ValidationError(
                    "\(modes) lets anyone read metrics; listen on 127.0.0.1 (--bind-address), use delegated modes, or pass --allow-insecure-serving")
            }
            logger.warning("Serving without delegated authentication or authorization", metadata: [
                "auth.authentication_mode": "\(authentication.rawValue)", "auth.authorization_mode": "\(authorization.rawValue)",
                "server.bind_address": "\(bindAddress)",
            ])
        }
        let (limits, tls) = (serverLimits(), try tlsPolicy())
        guard authentication == .delegated || authorization == .delegated else {
            return Resolved(authenticator: nil, authorizer: nil, services: [], limits: limits, tls: tls)
        }
        let client: KubernetesClient
        // TokenReviews and SubjectAccessReviews sit on the request path of every new caller:
        // the limits kube-apiserver's own delegated auth clients use (200 QPS, burst 400),
        // shared by both reviewers, with a bounded wait. The client itself is not limited
        // again (its only other traffic is the ConfigMap read once a minute). Each review
        // gets 10 s (kube's delegated TokenReview and SubjectAccessReview client timeout)
        // and at most 2 retries of a 429/5xx with Retry-After, not 10.
        let reviewLimiter = KubeRateLimiter(qps: 200, burst: 400, maxWait: Self.reviewRateLimitMaxWait)
        do throws(KubeAPIError) {
            var configuration = try KubernetesConfiguration.load(kubeconfigPath: kubeconfig)
            configuration.qps = 0
            configuration.maxRetries = 2
            client = try KubernetesClient(configuration: configuration, requestTimeout: .seconds(10), logger: logger)
        } catch {
            throw ValidationError("delegated authentication/authorization cannot reach Kubernetes: \(error.message)")
        }
        var services: [any Service] = [KubernetesClientLifetime(client: client)]
        var authenticator: RequestAuthenticator?
        if authentication == .delegated {
            let store = AuthenticationSettingsStore()
            if requestheaderClientCAFile != nil || clientCAFile != nil {
                store.update(try flagSettings())
            } else {
                services.append(AuthenticationConfigMapWatcher(
                    api: client, store: store, interval: Self.duration(authenticationConfigRefresh), logger: logger))
            }
            authenticator = RequestAuthenticator(
                settings: store,
                tokens: TokenReviewer(
                    api: client, successTTL: Self.duration(authenticationTokenWebhookCacheTTL),
                    failureTTL: Self.duration(authenticationTokenWebhookCacheTTL), limiter: reviewLimiter,
                    logger: logger))
        }
        let authorizer = authorization == .delegated
            ? SubjectAccessReviewer(
                api: client, allowedTTL: Self.duration(authorizationWebhookCacheAuthorizedTTL),
                deniedTTL: Self.duration(authorizationWebhookCacheUnauthorizedTTL), limiter: reviewLimiter)
            : nil
        return Resolved(
            authenticator: authenticator, authorizer: authorizer, services: services, limits: limits, tls: tls)
    }

    /// Settings from the `--requestheader-*` and `--client-ca-file` flags.
    func flagSettings() throws -> AuthenticationSettings {
        do throws(AuthenticationSettingsError) {
            return AuthenticationSettings(
                requestHeaderCAs: try requestheaderClientCAFile.map { path throws(AuthenticationSettingsError) in
                    try AuthenticationSettings.readBundle(file: path)
                } ?? [],
                allowedNames: Self.list(requestheaderAllowedNames ?? ""),
                usernameHeaders: Self.list(requestheaderUsernameHeaders),
                groupHeaders: Self.list(requestheaderGroupHeaders),
                extraHeaderPrefixes: Self.list(requestheaderExtraHeadersPrefix),
                clientCAs: try clientCAFile.map { path throws(AuthenticationSettingsError) in
                    try AuthenticationSettings.readBundle(file: path)
                } ?? [])
        } catch {
            throw ValidationError(error.message)
        }
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64(seconds * 1000))
    }

    /// A timeout flag: 0 means none.
    static func timeout(_ seconds: Double) -> Duration? {
        seconds > 0 ? duration(seconds) : nil
    }

    /// 127.0.0.0/8, ::1 and localhost.
    static func isLoopback(_ address: String) -> Bool {
        address == "localhost" || address == "::1" || address == "[::1]" || address.hasPrefix("127.")
    }
}
