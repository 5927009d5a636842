import Foundation
import HTTPTypes
import Hummingbird
import Shared
import Testing

@testable import MetricsServer
import TestSupport

/// Parsing kube-apiserver's ConfigMap and the small rules around users.
@Suite("Authentication settings")
struct AuthenticationSettingsTests {
    @Test func configMapValuesAreJSONArraysInStrings() throws {
        let ca = try TestCA(name: "front")
        let client = try TestCA(name: "client")
        let settings = try AuthenticationSettings(configMap: .object(["data": .object([
            "requestheader-client-ca-file": .string(try ca.pem + client.pem),
            "client-ca-file": .string(try client.pem),
            "requestheader-allowed-names": .string(#"["front-proxy-client","aggregator"]"#),
            "requestheader-username-headers": .string(#"["X-Remote-User","X-User"]"#),
            "requestheader-group-headers": .string(""),
            "requestheader-extra-headers-prefix": .string(#"["X-Remote-Extra-"]"#),
        ])]))
        #expect(settings.requestHeaderCAs == [ca.certificate, client.certificate])
        #expect(settings.clientCAs == [client.certificate])
        #expect(settings.allowedNames == ["front-proxy-client", "aggregator"])
        #expect(settings.usernameHeaders == ["X-Remote-User", "X-User"])
        #expect(settings.groupHeaders == ["X-Remote-Group"])
    }

    @Test(arguments: [
        ("requestheader-allowed-names", "front-proxy-client"),
        ("client-ca-file", "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"),
    ])
    func malformedValuesAreRefused(key: String, value: String) {
        #expect(throws: AuthenticationSettingsError.self) {
            try AuthenticationSettings(configMap: .object(["data": .object([key: .string(value)])]))
        }
    }

    @Test func authenticatedGroupIsAppendedOnce() {
        #expect(UserInfo(username: "a", groups: ["g"]).withAuthenticatedGroup().groups == ["g", "system:authenticated"])
        #expect(UserInfo(username: "a", groups: ["system:authenticated"]).withAuthenticatedGroup().groups == ["system:authenticated"])
        #expect(UserInfo.anonymous.withAuthenticatedGroup() == UserInfo.anonymous)
    }

    @Test func extraHeaderKeysAreLoweredAndUnescaped() throws {
        var headers = HTTPFields()
        headers.append(HTTPField(name: try #require(HTTPField.Name("X-Remote-User")), value: "alice"))
        headers.append(HTTPField(name: try #require(HTTPField.Name("x-remote-extra-Example.COM%2Fteam")), value: "t1"))
        headers.append(HTTPField(name: try #require(HTTPField.Name("X-Remote-Extra-example.com%2fteam")), value: "t2"))
        let user = RequestAuthenticator.headerUser(headers, settings: AuthenticationSettings())
        #expect(user?.username == "alice")
        #expect(user?.extra == ["example.com/team": ["t1", "t2"]])
    }
}
