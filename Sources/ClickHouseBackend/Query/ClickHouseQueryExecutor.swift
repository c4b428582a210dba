import ClickHouseHTTP
import Foundation
import Columnstore

/// Runs prepared queries on ClickHouse with server-side `{name:Type}` parameters and, on every
/// query, `readonly=1`, `max_execution_time` and a `max_result_rows` cap.
public final class ClickHouseQueryExecutor: QueryExecutor {
    public var store: StoreKind { .clickhouse }
    private let client: ClickHouseClient
    private let limits: QueryLimits

    public init(client: ClickHouseClient, limits: QueryLimits) {
        self.client = client
        self.limits = limits
    }

    /// Opens a client for `dsn` with one keep-alive connection per allowed concurrent query.
    public convenience init(dsn: String, limits: QueryLimits) throws {
        // The client's own timeout is a backstop for a server that stops answering.
        let configuration = ClickHouseClient.Configuration(
            requestTimeout: limits.timeout + Self.backstopGrace, poolSize: limits.maxConnections,
            maxResponseBytes: limits.maxResultBytes)
        self.init(client: try ClickHouseClient(dsn: dsn, configuration: configuration), limits: limits)
    }

    /// How long the transfer may outlast `max_execution_time`, for a server that stops answering.
    static let backstopGrace: Duration = .seconds(5)

    /// Settings sent with every query, for one that may run `timeout`; `readonly` last so nothing after it can lift it.
    func settings(timeout: Duration) -> [String: String] {
        let millis = max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return [
            "max_execution_time": Self.seconds(milliseconds: millis),
            "timeout_overflow_mode": "throw",
            "max_result_rows": String(limits.maxRows),
            "result_overflow_mode": "throw",
            "output_format_json_quote_64bit_integers": "1",
            // NaN and ±Inf quoted (nan, inf): unquoted they are written as null, indistinguishable from NULL.
            "output_format_json_quote_denormals": "1",
            // No other setting: a readonly=1 profile rejects every one not marked
            // changeable_in_readonly. Decimal scale and date-time zones come from the column types.
            "readonly": "1",
        ]
    }

    /// Whole milliseconds as seconds with three decimals (`1.500`), what `String(format: "%.3f")`
    /// printed, without Foundation's formatter on every query.
    static func seconds(milliseconds millis: Int64) -> String {
        let fraction = millis % 1000
        return "\(millis / 1000)." + (fraction < 100 ? (fraction < 10 ? "00" : "0") : "") + String(fraction)
    }

    public func execute(
        _ query: PreparedQuery, tenant: String, parameters: [String: ColumnValue], deadline: ContinuousClock.Instant?
    ) async throws -> QueryResult {
        let values = bindings(tenant: tenant, parameters: parameters)
        var encoded: [String: String] = [:]
        for placeholder in query.placeholders {
            guard let value = values[placeholder.name] else {
                throw QueryError(code: .internal, message: "query parameter '\(placeholder.name)' has no value")
            }
            encoded[placeholder.name] = Self.encodeParameter(value)
        }
        // The server stops the query at the server's timeout or the caller's deadline, whichever
        // comes first (`max_execution_time`); the transfer's own timeout backs it up, so the work has
        // ended when this returns.
        var timeout = limits.timeout
        if let deadline {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                throw QueryError(code: .deadlineExceeded, message: "the query did not finish before its deadline", detail: "the deadline passed before the query was sent")
            }
            timeout = min(timeout, left)
        }
        let response: ClickHouseResponse
        do {
            response = try await client.query(
                query.sql + "\nFORMAT JSONCompact", encodedParameters: encoded, settings: settings(timeout: timeout),
                requestTimeout: timeout + Self.backstopGrace)
        } catch let error as ClickHouseError {
            throw Self.queryError(error)
        }
        return try Self.decode(response.body, maxRows: limits.maxRows, serverTimeZone: response.headers["x-clickhouse-timezone"])
    }

    public func checkReachable() async throws {
        do {
            _ = try await client.query("SELECT 1", settings: ["readonly": "1"])
        } catch let error as ClickHouseError {
            throw Self.queryError(error)
        }
    }

    public func shutdown() async {}

    /// A parameter value in the text form ClickHouse parses `param_*` values with (the escaped
    /// TSV form: backslash, tab and newline must be escaped or they would change the value).
    static func encodeParameter(_ value: ColumnValue) -> String {
        switch value {
        case .null: return "\\N"
        case .string(let s): return ClickHouseClient.escapeParameter(s)
        case .int64(let v): return String(v)
        case .uint64(let v): return String(v)
        case .float64(let v): return v.isNaN ? "nan" : v.isInfinite ? (v < 0 ? "-inf" : "inf") : String(v)
        case .bool(let v): return v ? "true" : "false"
        case .date(let days): return RFC3339.formatDate(days: days)
        case .timestamp(let millis):
            // ClickHouse reads DateTime64 parameters as `YYYY-MM-DD hh:mm:ss.fff` (UTC server).
            let text = RFC3339.format(milliseconds: millis)
            let body = text.dropLast() // Z
            let withFraction = body.contains(".") ? String(body) : String(body) + ".000"
            return String(decoding: withFraction.utf8.map { $0 == UInt8(ascii: "T") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        }
    }

    static func queryError(_ error: ClickHouseError) -> QueryError {
        let detail = error.description
        switch error.code {
        case .timeout:
            return QueryError(code: .deadlineExceeded, message: "the query did not finish before its deadline", detail: detail)
        case .connection, .authentication:
            return QueryError(code: .unavailable, message: "the store is unavailable", detail: detail)
        case .responseTooLarge:
            return QueryError(code: .resourceExhausted, message: "the result has more bytes than the server allows", detail: detail)
        case .server:
            switch error.serverCode {
            case 159?, 160?: // TIMEOUT_EXCEEDED, TOO_SLOW
                return QueryError(code: .deadlineExceeded, message: "the query did not finish before its deadline", detail: detail)
            case 396?: // TOO_MANY_ROWS_OR_BYTES
                return QueryError(code: .resourceExhausted, message: "the result has more rows than the server allows", detail: detail)
            case 202?, 241?: // TOO_MANY_SIMULTANEOUS_QUERIES, MEMORY_LIMIT_EXCEEDED
                return QueryError(code: .resourceExhausted, message: "the store is overloaded", detail: detail)
            default:
                return QueryError(code: .internal, message: "the query failed", detail: detail)
            }
        default:
            return QueryError(code: .internal, message: "the query failed", detail: detail)
        }
    }
}
