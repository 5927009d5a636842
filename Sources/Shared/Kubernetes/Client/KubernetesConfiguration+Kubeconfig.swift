import Foundation

extension KubernetesConfiguration {
    /// Reads a kubeconfig file and follows `context` (default: its `current-context`).
    ///
    /// Supported: `clusters[].cluster{server, certificate-authority(-data),
    /// insecure-skip-tls-verify}`, `users[].user{token, tokenFile, client-certificate(-data),
    /// client-key(-data)}`, `contexts[].context{cluster, user, namespace}`. Relative file
    /// paths resolve against the kubeconfig's directory, as kubectl does. `exec`
    /// plugins, basic auth and impersonation are rejected with a clear message.
    public static func kubeconfig(path: String, context: String? = nil) throws(KubeAPIError) -> KubernetesConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw KubeAPIError(code: .configuration, message: "cannot read the kubeconfig \(path)")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parseYAMLDocuments(text).first?.value ?? .null
        } catch {
            throw KubeAPIError(code: .configuration, message: "the kubeconfig \(path) is not valid YAML: \(error)")
        }
        return try Kubeconfig(document: document, path: path).configuration(context: context)
    }
}

/// One kubeconfig file being resolved; errors name the file and the entry.
private struct Kubeconfig {
    let document: JSONValue
    let path: String
    var directory: URL { URL(fileURLWithPath: path).deletingLastPathComponent() }

    func configuration(context requested: String?) throws(KubeAPIError) -> KubernetesConfiguration {
        let contextName = requested ?? document["current-context"]?.stringValue ?? ""
        guard !contextName.isEmpty else { throw fail("has no current-context and no context was given") }
        let context = try entry("contexts", named: contextName, field: "context")
        guard let clusterName = context["cluster"]?.stringValue else { throw fail("context \"\(contextName)\" names no cluster") }
        let cluster = try entry("clusters", named: clusterName, field: "cluster")
        let userName = context["user"]?.stringValue
        var user = JSONValue.object([:])
        if let userName { user = try entry("users", named: userName, field: "user") }

        guard let server = cluster["server"]?.stringValue, !server.isEmpty else {
            throw fail("cluster \"\(clusterName)\" has no server")
        }
        for unsupported in ["exec", "auth-provider", "username", "as"] where user[unsupported] != nil {
            throw fail("user \"\(userName ?? "")\" uses \(unsupported), which this client does not support")
        }
        let token: (any KubeTokenProviding)?
        if let value = user["token"]?.stringValue, !value.isEmpty {
            token = StaticKubeToken(value)
        } else if let file = user["tokenFile"]?.stringValue, !file.isEmpty {
            token = FileKubeToken(path: resolve(file))
        } else {
            token = nil
        }
        let certificate = try material(user, "client-certificate", what: "user \"\(userName ?? "")\"")
        let key = try material(user, "client-key", what: "user \"\(userName ?? "")\"")
        if (certificate == nil) != (key == nil) {
            throw fail("user \"\(userName ?? "")\" needs both client-certificate and client-key")
        }
        let namespace = context["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return KubernetesConfiguration(
            server: server,
            certificateAuthorityPEM: try material(cluster, "certificate-authority", what: "cluster \"\(clusterName)\""),
            clientCertificatePEM: certificate, clientKeyPEM: key,
            insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] == .bool(true),
            token: token, namespace: namespace, source: "kubeconfig \(path) (context \(contextName))")
    }

    /// `list[]` entry `{name, <field>: {...}}`.
    func entry(_ list: String, named name: String, field: String) throws(KubeAPIError) -> JSONValue {
        let entries = document[list]?.arrayValue ?? []
        guard let found = entries.first(where: { $0["name"]?.stringValue == name }) else {
            throw fail("has no \(field) named \"\(name)\" in \(list)")
        }
        return found[field] ?? .object([:])
    }

    /// `<key>-data` (base64) or `<key>` (a file path).
    func material(_ node: JSONValue, _ key: String, what: String) throws(KubeAPIError) -> Data? {
        if let encoded = node["\(key)-data"]?.stringValue, !encoded.isEmpty {
            let compact = encoded.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact) else { throw fail("\(what): \(key)-data is not valid base64") }
            return data
        }
        if let file = node[key]?.stringValue, !file.isEmpty {
            let resolved = resolve(file)
            guard let data = FileManager.default.contents(atPath: resolved) else {
                throw fail("\(what): cannot read \(key) file \(resolved)")
            }
            return data
        }
        return nil
    }

    func resolve(_ file: String) -> String {
        file.hasPrefix("/") ? file : directory.appendingPathComponent(file).standardized.path
    }

    func fail(_ message: String) -> KubeAPIError {
        KubeAPIError(code: .configuration, message: "kubeconfig \(path) \(message)")
    }
}
