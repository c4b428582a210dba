import Foundation
import LibPQ
import Logging
import Columnstore

/// Runs prepared queries on Postgres with `$n` parameters, on pooled connections whose session
/// has `statement_timeout`, `TimeZone=UTC` and `default_transaction_read_only=on`.
///
/// The session also has `plan_cache_mode = force_custom_plan`: a statement is parsed once but planned
/// for each execution's parameters, as an unnamed one is. Postgres' default switches a statement to a
/// generic plan after five executions, and for a date-range query (GetTopCustomers) that plan misjudged
/// the range and ran 2× slower than the custom one (docs/BENCHMARKS.md).
///
/// The DSN's role should be read-only as well (see docs/QUERY_API.md); the session setting is a
/// second guard, not the only one.
public final class PostgresQueryExecutor: QueryExecutor {
    public var store: StoreKind { .postgres }
    let pool: PostgresConnectionPool
    private let limits: QueryLimits

    public init(dsn: String, limits: QueryLimits, logger: Logger = Logger(label: "projection.query.postgres")) {
        self.limits = limits
        let setup = """
            SET statement_timeout = \(limits.timeoutMilliseconds);
            SET TimeZone = 'UTC';
            SET DateStyle = 'ISO, YMD';
            SET IntervalStyle = 'iso_8601';
            SET extra_float_digits = 3;
            SET plan_cache_mode = force_custom_plan;
            SET default_transaction_read_only = on
            """
        self.pool = PostgresConnectionPool(dsn: dsn, capacity: limits.maxConnections, sessionSetup: setup, logger: logger)
    }

    public func execute(
        _ query: PreparedQuery, tenant: String, parameters: [String: ColumnValue], deadline callerDeadline: ContinuousClock.Instant?
    ) async throws -> QueryResult {
        let values = bindings(tenant: tenant, parameters: parameters)
        var bound: [PostgresValue] = []
        for placeholder in query.placeholders {
            guard let value = values[placeholder.name] else {
                throw QueryError(code: .internal, message: "query parameter '\(placeholder.name)' has no value")
            }
            bound.append(Self.postgresValue(value))
        }
        // One client-side deadline covers connecting, session setup and the statement: the server's
        // backstop or the caller's deadline, whichever comes first. The caller's is kept by libpq's
        // poll, which cancels the statement there (statement_timeout is per session, and a SET per
        // query would cost a round trip); the connection is then replaced.
        let backstop = ContinuousClock.now + clientDeadline
        let deadline = callerDeadline.map { min($0, backstop) } ?? backstop
        guard deadline > ContinuousClock.now else { throw Self.deadlinePassed }
        let connection: PostgresConnection
        do {
            connection = try await pool.acquire(deadline: deadline)
        } catch let error as PostgresError {
            throw Self.queryError(error)
        }
        // A deadline that passed while waiting for a connection costs no statement (and no connection).
        guard deadline > ContinuousClock.now else {
            await pool.release(connection, reusable: true)
            throw Self.deadlinePassed
        }
        let rows: PostgresRows
        do {
            // Rows are read one at a time within the row and byte bounds: a larger answer is never held whole.
            // The catalog's few statements are prepared once per pooled connection (parsed and analysed once).
            rows = try await connection.query(
                query.sql, bound, timeout: PostgresConnectionPool.remaining(until: deadline),
                maxRows: limits.maxRows, maxBytes: limits.maxResultBytes, prepared: true)
        } catch let error as PostgresError {
            await pool.release(connection, reusable: error.code == .server || error.code == .resultTooLarge)
            throw Self.queryError(error)
        } catch {
            await pool.release(connection, reusable: true)
            throw error
        }
        // Released once, before decoding: a value the decoder refuses is the answer's problem, not the
        // connection's (releasing it again from a catch put it in the pool twice).
        await pool.release(connection, reusable: true)
        return try Self.decode(rows, maxRows: limits.maxRows)
    }

    /// The client-side deadline of one statement: `statement_timeout` plus a grace, so the server's
    /// own timeout answers ordinary slow queries and this one only a server or network that stopped
    /// answering (the statement is then cancelled and its connection replaced).
    var clientDeadline: Duration { limits.timeout + Self.clientDeadlineGrace }
    static let clientDeadlineGrace: Duration = .milliseconds(500)

    static let deadlinePassed = QueryError(code: .deadlineExceeded, message: "the query did not finish before its deadline", detail: "the deadline passed before the statement was sent")

    public func checkReachable() async throws {
        let deadline = ContinuousClock.now + clientDeadline
        let connection: PostgresConnection
        do {
            connection = try await pool.acquire(deadline: deadline)
        } catch let error as PostgresError {
            throw Self.queryError(error)
        }
        do {
            try await connection.query("SELECT 1", timeout: PostgresConnectionPool.remaining(until: deadline))
            await pool.release(connection, reusable: true)
        } catch let error as PostgresError {
            await pool.release(connection, reusable: false)
            throw Self.queryError(error)
        }
    }

    public func shutdown() async {
        await pool.shutdown()
    }

    static func postgresValue(_ value: ColumnValue) -> PostgresValue {
        switch value {
        case .null: return .null
        case .string(let s): return .text(s)
        case .int64(let v): return .int64(v)
        // RequestDecoder refuses uint64 values above Int64.max (ValueDomain.maxUInt64, what both stores
        // hold) with invalid_argument; numeric text is only a fallback that keeps such a value exact.
        case .uint64(let v): return v <= UInt64(Int64.max) ? .int64(Int64(v)) : .text(String(v))
        case .float64(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .date(let days):
            let (y, m, d) = RFC3339.civil(fromDays: Int(days))
            return .date(year: y, month: m, day: d)
        case .timestamp(let millis):
            // Exact: the timestamp domain (1900…2299) times 1,000 is far inside Int64.
            return .timestamptz(microseconds: millis * 1000)
        }
    }

    static func queryError(_ error: PostgresError) -> QueryError {
        let detail = error.description
        switch error.code {
        case .connectionFailed, .connectionLost, .authenticationFailed, .closed:
            return QueryError(code: .unavailable, message: "the store is unavailable", detail: detail)
        case .timedOut:
            return QueryError(code: .deadlineExceeded, message: "the query did not finish before its deadline", detail: detail)
        case .resultTooLarge:
            let what = error.message.contains("rows") ? "rows" : "bytes"
            return QueryError(code: .resourceExhausted, message: "the result has more \(what) than the server allows", detail: detail)
        default:
            switch error.sqlState {
            case "57014"?: // query_canceled: statement_timeout
                return QueryError(code: .deadlineExceeded, message: "the query did not finish before its deadline", detail: detail)
            case let state? where state.hasPrefix("53"): // insufficient resources
                return QueryError(code: .resourceExhausted, message: "the store is overloaded", detail: detail)
            case let state? where state.hasPrefix("08") || state.hasPrefix("57P"):
                return QueryError(code: .unavailable, message: "the store is unavailable", detail: detail)
            default:
                return QueryError(code: .internal, message: "the query failed", detail: detail)
            }
        }
    }
}
