import Shared

/// Who made a request, as Kubernetes' `user.Info` describes it (docs/aggregation-layer.md, "Authentication").
public struct UserInfo: Sendable, Hashable {
    /// The user name (`system:serviceaccount:ns:sa`, `system:anonymous`, a front-proxy user...).
    public var username: String
    /// The user's UID, when the authenticator knows it.
    public var uid: String
    /// Groups, in the order the authenticator gave them.
    public var groups: [String]
    /// Extra attributes (`authentication.kubernetes.io/pod-name`...), keys lowercased.
    public var extra: [String: [String]]

    /// Creates a user.
    public init(username: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// The user of requests without credentials.
    public static let anonymous = UserInfo(username: "system:anonymous", groups: ["system:unauthenticated"])

    /// Group every authenticated user gets appended.
    public static let authenticatedGroup = "system:authenticated"
    /// Group whose members skip authorization.
    public static let mastersGroup = "system:masters"

    /// Appends `system:authenticated` unless the user is anonymous or already carries
    /// `system:authenticated` / `system:unauthenticated` (k8s.io/apiserver's group adder).
    public func withAuthenticatedGroup() -> UserInfo {
        if username == UserInfo.anonymous.username { return self }
        if groups.contains(UserInfo.authenticatedGroup) || groups.contains("system:unauthenticated") { return self }
        var user = self
        user.groups.append(UserInfo.authenticatedGroup)
        return user
    }

    /// The user as TokenReview/SubjectAccessReview JSON fields: `user`/`username`, `uid`, `groups`, `extra`.
    func reviewFields(usernameKey: String) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [usernameKey: .string(username)]
        if !uid.isEmpty { fields["uid"] = .string(uid) }
        if !groups.isEmpty { fields["groups"] = .array(groups.map { .string($0) }) }
        if !extra.isEmpty {
            fields["extra"] = .object(extra.mapValues { .array($0.map { .string($0) }) })
        }
        return fields
    }

    /// Reads a TokenReview `status.user`.
    init?(tokenReviewUser json: JSONValue?) {
        guard let json, let name = json["username"]?.stringValue, !name.isEmpty else { return nil }
        var extra: [String: [String]] = [:]
        for (key, value) in json["extra"]?.objectValue ?? [:] {
            extra[key] = (value.arrayValue ?? []).compactMap(\.stringValue)
        }
        self.init(
            username: name, uid: json["uid"]?.stringValue ?? "",
            groups: (json["groups"]?.arrayValue ?? []).compactMap(\.stringValue), extra: extra)
    }
}
