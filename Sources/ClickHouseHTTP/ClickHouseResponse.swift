import Foundation

/// A successful answer from ClickHouse.
public struct ClickHouseResponse: Sendable {
    /// HTTP status (200 for success).
    public var status: Int
    /// The response body, already decompressed.
    public var body: [UInt8]
    /// `X-ClickHouse-Query-Id`, the id the server ran the query under.
    public var queryID: String?
    /// `X-ClickHouse-Summary`, when sent.
    public var summary: ClickHouseSummary?
    /// Response headers with lower-cased names (last value wins).
    public var headers: [String: String]
    /// Whether the request body was sent gzip-compressed.
    public var requestBodyCompressed: Bool

    public init(
        status: Int,
        body: [UInt8],
        queryID: String?,
        summary: ClickHouseSummary?,
        headers: [String: String],
        requestBodyCompressed: Bool = false
    ) {
        self.status = status
        self.body = body
        self.queryID = queryID
        self.summary = summary
        self.headers = headers
        self.requestBodyCompressed = requestBodyCompressed
    }

    /// The body decoded as UTF-8.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as `Data`, e.g. for `JSONDecoder`.
    public var data: Data { Data(body) }
}
