import Foundation
import Logging

/// A ClickHouse client over the HTTP interface (libcurl).
///
/// Keeps a small pool of keep-alive connections; every request runs on its connection's own
/// thread, never on Swift's cooperative pool. Safe to share between tasks.
public final class ClickHouseClient: Sendable {
    /// Where requests go; its password is sent only in the `X-ClickHouse-Key` header.
    public let dsn: ClickHouseDSN
    public let configuration: Configuration
    let pool: CurlHandlePool
    let logger: Logger
    /// The credential headers and the URL up to its query, built once: every request sends them.
    let authHeaders: [String]
    let baseURL: String

    public init(
        dsn: ClickHouseDSN,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "clickhouse-http")
    ) {
        self.dsn = dsn
        self.configuration = configuration
        self.pool = CurlHandlePool(size: configuration.poolSize)
        self.logger = logger
        self.authHeaders = Self.authHeaders(dsn)
        self.baseURL = dsn.baseURL
    }

    /// Parses `dsn` (see `ClickHouseDSN`); throws `ClickHouseError` with code `.invalidDSN`.
    public convenience init(
        dsn: String,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "clickhouse-http")
    ) throws {
        try self.init(dsn: ClickHouseDSN(parsing: dsn), configuration: configuration, logger: logger)
    }

    /// Runs a query and returns its whole response.
    ///
    /// - Parameters:
    ///   - sql: the statement, sent as the POST body; add `FORMAT …` to choose the output format.
    ///   - parameters: values for `{name:Type}` placeholders, sent as `param_name` (never spliced
    ///     into the SQL text).
    ///   - settings: ClickHouse settings for this query, on top of the DSN's.
    ///   - queryID: the query id; a UUID is generated when nil.
    public func query(
        _ sql: String,
        parameters: [String: String] = [:],
        settings: [String: String] = [:],
        queryID: String? = nil
    ) async throws -> ClickHouseResponse {
        try await send(
            sql: sql, statementInURL: nil, body: .bytes(Array(sql.utf8)), bodyIsGzip: false,
            parameters: parameters.mapValues(Self.escapeParameter), settings: settings, defaults: [:], queryID: queryID)
    }

    /// `query`, with parameter values already in the server's Escaped text form (`\N` for NULL, a
    /// backslash doubled): for callers that encode typed values themselves. `requestTimeout`
    /// replaces the configuration's for this request (a caller's deadline may be shorter).
    public func query(
        _ sql: String,
        encodedParameters: [String: String],
        settings: [String: String] = [:],
        queryID: String? = nil,
        requestTimeout: Duration? = nil
    ) async throws -> ClickHouseResponse {
        try await send(
            sql: sql, statementInURL: nil, body: .bytes(Array(sql.utf8)), bodyIsGzip: false,
            parameters: encodedParameters, settings: settings, defaults: [:], queryID: queryID, requestTimeout: requestTimeout)
    }

    /// Runs DDL or another command, with `wait_end_of_query=1` so that any error is reported
    /// in the status instead of after a 200.
    @discardableResult
    public func execute(
        _ sql: String,
        parameters: [String: String] = [:],
        settings: [String: String] = [:],
        queryID: String? = nil
    ) async throws -> ClickHouseResponse {
        try await send(
            sql: sql, statementInURL: nil, body: .bytes(Array(sql.utf8)), bodyIsGzip: false,
            // `async_insert=0`: an `INSERT … VALUES` here (intents, checkpoints) is in the table when answered.
            parameters: parameters.mapValues(Self.escapeParameter), settings: Self.synchronousInsert(settings), defaults: ["wait_end_of_query": "1"], queryID: queryID)
    }

    /// Inserts data with a full statement such as `INSERT INTO t (a, b) FORMAT RowBinary`.
    ///
    /// The statement travels in the URL; `body` is the data, streamed with chunked encoding
    /// when it is a stream, gzipped per `Configuration`. Uses `wait_end_of_query=1`.
    /// Pass `insert_deduplication_token` in `settings` to make a retry idempotent.
    ///
    /// `async_insert=0` unless `settings` says otherwise (over the DSN's and the user profile's): with async
    /// inserts on, the answer could come before the block is in the table and the deduplication token would
    /// not be the block's, while the caller acks facts on this answer.
    @discardableResult
    public func insert(
        _ statement: String,
        body: ClickHouseInsertBody,
        settings: [String: String] = [:],
        queryID: String? = nil
    ) async throws -> ClickHouseResponse {
        let defaults = ["wait_end_of_query": "1"]
        let settings = Self.synchronousInsert(settings)
        switch body.storage {
        case .bytes(let bytes):
            if configuration.compressRequestBody && bytes.count >= configuration.compressionThreshold {
                let gzipped = try GzipCompressor.gzip(bytes, level: configuration.compressionLevel)
                return try await send(
                    sql: statement, statementInURL: statement, body: .bytes(gzipped), bodyIsGzip: true,
                    parameters: [:], settings: settings, defaults: defaults, queryID: queryID)
            }
            return try await send(
                sql: statement, statementInURL: statement, body: .bytes(bytes), bodyIsGzip: false,
                parameters: [:], settings: settings, defaults: defaults, queryID: queryID)
        case .stream(let produce):
            let bridge = BodyStreamBridge()
            let requestBody = CurlRequest.Body.stream(
                bridge,
                compress: configuration.compressRequestBody,
                threshold: configuration.compressionThreshold,
                level: configuration.compressionLevel)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await produce(bridge) }
                defer {
                    bridge.cancel()
                    group.cancelAll()
                }
                return try await send(
                    sql: statement, statementInURL: statement, body: requestBody, bodyIsGzip: false,
                    parameters: [:], settings: settings, defaults: defaults, queryID: queryID)
            }
        }
    }

    /// Inserts into `table` (backtick-quoted as one identifier) in `format`, optionally naming
    /// `columns`. See `insert(_:body:settings:queryID:)`.
    @discardableResult
    public func insert(
        into table: String,
        columns: [String] = [],
        format: String = "RowBinary",
        body: ClickHouseInsertBody,
        settings: [String: String] = [:],
        queryID: String? = nil
    ) async throws -> ClickHouseResponse {
        var statement = "INSERT INTO \(Self.quoteIdentifier(table))"
        if !columns.isEmpty {
            statement += " (" + columns.map(Self.quoteIdentifier).joined(separator: ", ") + ")"
        }
        statement += " FORMAT \(format)"
        return try await insert(statement, body: body, settings: settings, queryID: queryID)
    }

    /// `GET /ping`: true when the server answers `Ok.`.
    public func ping() async throws -> Bool {
        let request = CurlRequest(
            method: .get,
            url: dsn.baseURL + "ping",
            headers: [],
            body: .none,
            bodyIsGzip: false,
            connectTimeout: configuration.connectTimeout,
            requestTimeout: configuration.requestTimeout,
            acceptCompressedResponse: false,
            maxResponseBytes: 1024)
        let response = try await perform(request, queryID: nil)
        return response.text.trimmingWhitespace() == "Ok."
    }

    /// Quotes an identifier with backticks, escaping backslashes and backticks.
    public static func quoteIdentifier(_ name: String) -> String {
        "`" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "`", with: "\\`") + "`"
    }

    /// `settings` with `async_insert=0` unless they set it.
    static func synchronousInsert(_ settings: [String: String]) -> [String: String] {
        var settings = settings
        if settings["async_insert"] == nil { settings["async_insert"] = "0" }
        return settings
    }
}
