import Foundation
import Logging

extension ClickHouseClient {
    /// Builds the URL and headers for a ClickHouse request and runs it on a pooled handle.
    func send(
        sql: String,
        statementInURL: String?,
        body: CurlRequest.Body,
        bodyIsGzip: Bool,
        parameters: [String: String],
        settings: [String: String],
        defaults: [String: String],
        queryID: String?,
        requestTimeout: Duration? = nil
    ) async throws -> ClickHouseResponse {
        let queryID = queryID ?? Self.newQueryID()
        var merged = defaults
        merged.merge(configuration.settings) { _, new in new }
        if configuration.acceptCompressedResponse { merged["enable_http_compression"] = "1" }
        merged.merge(dsn.settings) { _, new in new }
        merged.merge(settings) { _, new in new }

        var items: [(String, String)] = [("database", dsn.database)]
        items += merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        // Values are already in the server's Escaped text form (see `ClickHouseClient+Parameters`).
        items += parameters.sorted { $0.key < $1.key }.map { ("param_\($0.key)", $0.value) }
        items.append(("query_id", queryID))
        if let statementInURL { items.append(("query", statementInURL)) }

        let url = baseURL + "?" + items.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }
            .joined(separator: "&")
        let request = CurlRequest(
            method: .post,
            url: url,
            headers: authHeaders + ["Content-Type: text/plain; charset=utf-8"],
            body: body,
            bodyIsGzip: bodyIsGzip,
            connectTimeout: configuration.connectTimeout,
            requestTimeout: requestTimeout ?? configuration.requestTimeout,
            acceptCompressedResponse: configuration.acceptCompressedResponse,
            maxResponseBytes: configuration.maxResponseBytes)
        logger.debug("clickhouse request", metadata: [
            "clickhouse.query_id": "\(queryID)",
            "clickhouse.server": "\(dsn.redacted)",
        ])
        do {
            let response = try await perform(request, queryID: queryID)
            logger.debug("clickhouse response", metadata: [
                "clickhouse.query_id": "\(queryID)",
                "clickhouse.status": "\(response.status)",
                "clickhouse.bytes": "\(response.body.count)",
            ])
            return response
        } catch {
            logger.debug("clickhouse request failed", metadata: [
                "clickhouse.query_id": "\(queryID)",
                "error": "\(error)",
            ])
            throw error
        }
    }

    /// Runs a request on a pooled handle and judges the outcome.
    func perform(_ request: CurlRequest, queryID: String?) async throws -> ClickHouseResponse {
        let handle = try await pool.acquire()
        defer { pool.release(handle) }
        let outcome = await handle.run(CurlTransfer(request: request))
        return try outcome.result(requestedQueryID: queryID).get()
    }

    /// Credentials travel in headers, never in the URL (which shows up in logs and errors).
    static func authHeaders(_ dsn: ClickHouseDSN) -> [String] {
        var headers = ["X-ClickHouse-User: \(Self.headerSafe(dsn.user))"]
        // curl drops a header with an empty value; a missing key means an empty password.
        if !dsn.password.isEmpty { headers.append("X-ClickHouse-Key: \(Self.headerSafe(dsn.password))") }
        return headers
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// RFC 3986 percent-encoding of everything but unreserved characters (so `+`, `&`, `=`,
    /// `;` and quotes in values stay data).
    static func percentEncode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%"
                result.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(byte & 0x0F)]))
            }
        }
        return result
    }

    /// Header values cannot carry line breaks (they would inject headers); drop them.
    private static func headerSafe(_ value: String) -> String {
        // Filter scalars: "\r\n" is a single Character and would slip past a Character filter.
        String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
    }
}
