import Foundation
import Shared
import SwiftASN1
import X509

/// What the authenticators trust: the front-proxy (request header) CA and its rules,
/// and the client CA. Comes from the `kube-system/extension-apiserver-authentication`
/// ConfigMap or from flags (docs/aggregation-layer.md, "The extension-apiserver-authentication ConfigMap").
public struct AuthenticationSettings: Sendable, Hashable {
    /// CAs that sign the front proxy's client certificate (`requestheader-client-ca-file`); empty disables request-header auth.
    public var requestHeaderCAs: [Certificate]
    /// Common names the front proxy's certificate may carry; empty accepts any.
    public var allowedNames: [String]
    /// Headers holding the user name, checked in order.
    public var usernameHeaders: [String]
    /// Headers holding groups.
    public var groupHeaders: [String]
    /// Prefixes of headers holding extra attributes.
    public var extraHeaderPrefixes: [String]
    /// CAs for ordinary client certificates (`client-ca-file`); empty disables client-certificate auth.
    public var clientCAs: [Certificate]

    /// Creates settings; header lists default to the Kubernetes names.
    public init(
        requestHeaderCAs: [Certificate] = [], allowedNames: [String] = [],
        usernameHeaders: [String] = ["X-Remote-User"], groupHeaders: [String] = ["X-Remote-Group"],
        extraHeaderPrefixes: [String] = ["X-Remote-Extra-"], clientCAs: [Certificate] = []
    ) {
        self.requestHeaderCAs = requestHeaderCAs
        self.allowedNames = allowedNames
        self.usernameHeaders = usernameHeaders
        self.groupHeaders = groupHeaders
        self.extraHeaderPrefixes = extraHeaderPrefixes
        self.clientCAs = clientCAs
    }

    /// Reads the ConfigMap kube-apiserver writes (its `data`; list values are JSON arrays in strings).
    ///
    /// Missing keys leave the defaults of ``init(requestHeaderCAs:allowedNames:usernameHeaders:groupHeaders:extraHeaderPrefixes:clientCAs:)``
    /// in place only for the header names; missing CAs disable the matching authenticator.
    /// - Throws: ``AuthenticationSettingsError`` for a malformed PEM bundle or list.
    public init(configMap: JSONValue) throws(AuthenticationSettingsError) {
        let data = configMap["data"]?.objectValue ?? [:]
        func text(_ key: String) -> String? {
            guard let value = data[key]?.stringValue, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else { return nil }
            return value
        }
        func list(_ key: String) throws(AuthenticationSettingsError) -> [String]? {
            guard let value = text(key) else { return nil }
            guard let parsed = try? JSONValue.parse(json: Data(value.utf8)), let items = parsed.arrayValue else {
                throw AuthenticationSettingsError("\(key) is not a JSON array of strings")
            }
            return items.compactMap(\.stringValue)
        }
        self.init()
        requestHeaderCAs = try text("requestheader-client-ca-file").map { pem throws(AuthenticationSettingsError) in
            try Self.parseBundle(pem, source: "requestheader-client-ca-file")
        } ?? []
        clientCAs = try text("client-ca-file").map { pem throws(AuthenticationSettingsError) in
            try Self.parseBundle(pem, source: "client-ca-file")
        } ?? []
        allowedNames = try list("requestheader-allowed-names") ?? []
        usernameHeaders = try list("requestheader-username-headers") ?? usernameHeaders
        groupHeaders = try list("requestheader-group-headers") ?? groupHeaders
        extraHeaderPrefixes = try list("requestheader-extra-headers-prefix") ?? extraHeaderPrefixes
    }

    /// Parses a PEM bundle of one or more certificates.
    public static func parseBundle(_ pem: String, source: String) throws(AuthenticationSettingsError) -> [Certificate] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: pem)
        } catch {
            throw AuthenticationSettingsError("\(source): not a PEM bundle")
        }
        var certificates: [Certificate] = []
        for document in documents where document.discriminator == "CERTIFICATE" {
            do {
                certificates.append(try Certificate(pemDocument: document))
            } catch {
                throw AuthenticationSettingsError("\(source): a certificate does not parse: \(error)")
            }
        }
        guard !certificates.isEmpty else { throw AuthenticationSettingsError("\(source): holds no certificate") }
        return certificates
    }

    /// Reads a PEM bundle file (`--requestheader-client-ca-file`, `--client-ca-file`).
    public static func readBundle(file path: String) throws(AuthenticationSettingsError) -> [Certificate] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuthenticationSettingsError("cannot read \(path)")
        }
        return try parseBundle(String(decoding: data, as: UTF8.self), source: path)
    }
}

/// Authentication settings that do not parse.
public struct AuthenticationSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the key or file.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
