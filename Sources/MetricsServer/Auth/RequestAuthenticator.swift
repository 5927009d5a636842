import Foundation
import HTTPTypes
import Logging
import Shared
import X509

/// Authenticates a request the way k8s.io/apiserver's delegating authenticator does
/// (docs/aggregation-layer.md, "Authentication"): request-header (front proxy), then
/// client certificate, then bearer token; the first success wins, `system:authenticated`
/// is appended, and a request offering no credentials at all is anonymous.
///
/// Identity headers (`X-Remote-User`...) are read only after the peer certificate chained
/// to the request-header CA (and its CN is allowed); on any other request they are ignored.
public struct RequestAuthenticator: Sendable {
    /// The outcome for one request.
    public enum Result: Sendable, Hashable {
        case authenticated(UserInfo)
        /// No credentials were offered.
        case anonymous
        /// Credentials were offered and none was accepted; the reasons are for logs only.
        case failed(reasons: [String])
    }

    private let settings: AuthenticationSettingsStore
    private let tokens: TokenReviewer?

    /// - Parameters:
    ///   - settings: Request-header and client CAs (swapped at runtime on rotation).
    ///   - tokens: TokenReview client; nil disables bearer tokens.
    public init(settings: AuthenticationSettingsStore, tokens: TokenReviewer?) {
        self.settings = settings
        self.tokens = tokens
    }

    /// Authenticates a request from its headers and the peer's certificate chain (leaf first).
    ///
    /// A chain is verified once per trust pool and CA bundle and the verdict reused
    /// (``ClientCertificateVerificationCache``); a chain over ``ClientCertificateLimits`` is
    /// refused unverified, so it authenticates nobody (401 unless a bearer token succeeds).
    public func authenticate(headers: HTTPFields, peerChain: [Certificate]) async -> Result {
        let snapshot = self.settings.snapshot
        let settings = snapshot.settings
        let verifications = self.settings.verifications
        var failures: [String] = []
        var chain: ClientCertificateChain?
        if !peerChain.isEmpty, !settings.requestHeaderCAs.isEmpty || !settings.clientCAs.isEmpty {
            do {
                chain = try ClientCertificateChain(peerChain, limits: verifications.limits)
            } catch {
                failures.append("client certificate: \(error)")
            }
        }
        if let chain, !settings.requestHeaderCAs.isEmpty {
            do {
                if let user = try await requestHeaderUser(headers: headers, chain: chain, snapshot: snapshot) {
                    return .authenticated(user.withAuthenticatedGroup())
                }
            } catch {
                failures.append("request header: \(error)")
            }
        }
        if let chain, !settings.clientCAs.isEmpty {
            switch await verifications.verdict(on: chain, pool: .client, bundle: snapshot.clientBundle, roots: settings.clientCAs) {
            case .verified(let leaf):
                let name = ClientCertificateVerifier.commonName(leaf)
                if !name.isEmpty {
                    let user = UserInfo(username: name, groups: ClientCertificateVerifier.organizations(leaf))
                    return .authenticated(user.withAuthenticatedGroup())
                }
            case .refused(let failure):
                failures.append("client certificate: \(failure)")
            }
        }
        if let tokens, let token = Self.bearerToken(headers) {
            if token.isEmpty {
                failures.append("bearer token: invalid bearer token")
            } else {
                do {
                    switch try await tokens.review(token) {
                    case .authenticated(let user):
                        return .authenticated(user.withAuthenticatedGroup())
                    case .rejected(let reason):
                        failures.append("bearer token: invalid bearer token" + (reason.isEmpty ? "" : " (\(reason))"))
                    }
                } catch {
                    failures.append("bearer token: token review failed: \(error)")
                }
            }
        }
        return failures.isEmpty ? .anonymous : .failed(reasons: failures)
    }

    /// The front proxy's user, or nil when its certificate is good but no user header is present.
    private func requestHeaderUser(
        headers: HTTPFields, chain: ClientCertificateChain, snapshot: AuthenticationSettingsStore.Snapshot
    ) async throws(ClientCertificateVerifier.Failure) -> UserInfo? {
        let settings = snapshot.settings
        let verdict = await self.settings.verifications.verdict(
            on: chain, pool: .requestHeader, bundle: snapshot.requestHeaderBundle, roots: settings.requestHeaderCAs)
        let leaf: Certificate
        switch verdict {
        case .verified(let verified): leaf = verified
        case .refused(let failure): throw failure
        }
        let commonName = ClientCertificateVerifier.commonName(leaf)
        if !settings.allowedNames.isEmpty && !settings.allowedNames.contains(commonName) {
            throw ClientCertificateVerifier.Failure(
                reason: "client certificate CN \(RequestAttributes.quoted(commonName)) is not in the allowed names")
        }
        return Self.headerUser(headers, settings: settings)
    }

    /// Reads user, groups and extra from the identity headers (docs/aggregation-layer.md, "Authentication").
    static func headerUser(_ headers: HTTPFields, settings: AuthenticationSettings) -> UserInfo? {
        var username: String?
        for header in settings.usernameHeaders {
            guard let name = HTTPField.Name(header) else { continue }
            if let value = headers[values: name].first(where: { !$0.isEmpty }) {
                username = value
                break
            }
        }
        guard let username else { return nil }
        var groups: [String] = []
        for header in settings.groupHeaders {
            guard let name = HTTPField.Name(header) else { continue }
            groups += headers[values: name].filter { !$0.isEmpty }
        }
        var extra: [String: [String]] = [:]
        for field in headers {
            let fieldName = field.name.canonicalName
            for prefix in settings.extraHeaderPrefixes where fieldName.count > prefix.count
                && fieldName.lowercased().hasPrefix(prefix.lowercased()) {
                let rawKey = String(fieldName.dropFirst(prefix.count)).lowercased()
                let key = PercentDecoding.decode(rawKey) ?? rawKey
                extra[key, default: []].append(field.value)
                break
            }
        }
        return UserInfo(username: username, groups: groups, extra: extra)
    }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive); nil when absent or another scheme.
    static func bearerToken(_ headers: HTTPFields) -> String? {
        guard let value = headers[.authorization]?.trimmingCharacters(in: .whitespaces) else { return nil }
        let parts = value.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}
