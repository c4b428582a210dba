import Foundation

/// Where and as whom to reach ClickHouse: `http(s)://user:pass@host:port/db?setting=value`.
///
/// User, password and database are percent-decoded. Query items become ClickHouse settings
/// sent with every request. `description` is the redacted form, so a DSN can be logged.
public struct ClickHouseDSN: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `http` or `https`.
    public var scheme: String
    public var host: String
    public var port: Int
    /// Defaults to `default`.
    public var user: String
    /// Defaults to empty. Never part of `description` or `redacted`.
    public var password: String
    /// Defaults to `default`.
    public var database: String
    /// Settings from the query string, sent with every request.
    public var settings: [String: String]

    public init(
        scheme: String = "http",
        host: String,
        port: Int? = nil,
        user: String = "default",
        password: String = "",
        database: String = "default",
        settings: [String: String] = [:]
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port ?? (scheme == "https" ? 8443 : 8123)
        self.user = user
        self.password = password
        self.database = database
        self.settings = settings
    }

    /// Parses a DSN string; throws `ClickHouseError` with code `.invalidDSN` (whose message
    /// never repeats the input, which may hold a password).
    public init(parsing string: String) throws {
        func invalid(_ reason: String) -> ClickHouseError {
            ClickHouseError(code: .invalidDSN, message: "invalid ClickHouse DSN: \(reason)")
        }
        guard let components = URLComponents(string: string) else { throw invalid("not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw invalid("scheme must be http or https")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("missing host") }
        if let port = components.port, !(1...65535).contains(port) { throw invalid("port out of range") }

        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? ""
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? ""
        var path = components.percentEncodedPath
        while path.hasPrefix("/") { path.removeFirst() }
        while path.hasSuffix("/") { path.removeLast() }
        guard !path.contains("/") else { throw invalid("path must be a single database name") }
        let database = path.removingPercentEncoding ?? path

        var settings: [String: String] = [:]
        for item in components.queryItems ?? [] where !item.name.isEmpty {
            settings[item.name] = item.value ?? ""
        }
        self.init(
            scheme: scheme,
            host: host,
            port: components.port,
            user: user.isEmpty ? "default" : user,
            password: password,
            database: database.isEmpty ? "default" : database,
            settings: settings
        )
    }

    /// The DSN with the password replaced by `***` (and omitted when empty).
    public var redacted: String {
        var text = "\(scheme)://\(user)"
        if !password.isEmpty { text += ":***" }
        text += "@\(hostForURL):\(port)/\(database)"
        if !settings.isEmpty {
            text += "?" + settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        }
        return text
    }

    public var description: String { redacted }
    public var debugDescription: String { redacted }
    // Keeps `dump()` and reflection from printing the password.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted]) }

    /// `scheme://host:port/` without credentials; requests add their own query string.
    var baseURL: String { "\(scheme)://\(hostForURL):\(port)/" }

    private var hostForURL: String { host.utf8.contains(UInt8(ascii: ":")) && !host.hasPrefix("[") ? "[\(host)]" : host }
}
