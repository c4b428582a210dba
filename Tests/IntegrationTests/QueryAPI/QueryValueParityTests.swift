import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ
@testable import QueryAPI
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// Every column type a projection can hold, with edge values, answered by both stores' query
/// executors: the decoded values and the JSON the API renders from them are identical.
@Suite("Query value parity", .serialized)
struct QueryValueParityTests {
    /// (name, ClickHouse type, Postgres type, proto field type the API would render it as).
    static let columns: [(String, String, String, QueryFieldType)] = [
        ("id", "Int32", "integer", .int32),
        ("f64", "Float64", "double precision", .double),
        ("f32", "Float32", "real", .float),
        ("dec", "Decimal(12, 2)", "numeric(12, 2)", .string),
        ("dec0", "Decimal(18, 0)", "numeric(18, 0)", .string),
        ("dec38", "Decimal(38, 3)", "numeric(38, 3)", .string),
        ("ndec", "Nullable(Decimal(10, 2))", "numeric(10, 2)", .string),
        ("d", "Date", "date", .string),
        ("d32", "Date32", "date", .string),
        ("ts", "DateTime64(3, 'UTC')", "timestamptz", .timestamp),
        ("dt", "DateTime('UTC')", "timestamptz", .timestamp),
        ("b", "Bool", "boolean", .bool),
        ("i8", "Int8", "smallint", .int32),
        ("u8", "UInt8", "smallint", .uint32),
        ("i16", "Int16", "smallint", .int32),
        ("u16", "UInt16", "integer", .uint32),
        ("i32", "Int32", "integer", .int32),
        ("u32", "UInt32", "bigint", .uint32),
        ("i64", "Int64", "bigint", .int64),
        ("u64", "UInt64", "bigint", .uint64),
        ("s", "LowCardinality(Nullable(String))", "text", .string),
        ("mn", "SimpleAggregateFunction(min, Nullable(Float64))", "double precision", .double),
        ("mx", "SimpleAggregateFunction(max, Nullable(Decimal(12, 2)))", "numeric(12, 2)", .string),
        ("mts", "SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC')))", "timestamptz", .timestamp),
        // Another zone: ClickHouse prints its wall-clock time; the decoder converts it by the type's zone.
        ("tsb", "DateTime64(3, 'Europe/Berlin')", "timestamptz", .timestamp),
    ]

    /// Rows as SQL literals both stores read the same way, in column order (NULL for none).
    static let rows: [[String]] = [
        ["1", "0.15832928596944662", "0.1", "'12.30'", "'-42'", "'123456789012345678901234567890123.500'", "NULL",
         "'1970-01-01'", "'1900-01-01'", "'2026-03-01 10:15:00.123'", "'2026-03-01 10:15:00'", "true",
         "-128", "0", "-32768", "0", "-2147483648", "0", "-9223372036854775808", "0",
         "'Code: 1. DB::Exception: boom'", "2.5", "'-0.50'", "'2026-03-01 10:15:00.120'", "'2026-07-01 10:15:00.123'"],
        ["2", "-0.0", "-3.4028235e38", "'-0.50'", "'0'", "'-0.001'", "'0.00'",
         "'2149-06-06'", "'2299-12-31'", "'1900-01-01 00:00:00.001'", "'2106-02-07 06:28:15'", "false",
         "127", "255", "32767", "65535", "2147483647", "4294967295", "9223372036854775807", "9223372036854775807",
         "NULL", "NULL", "NULL", "NULL", "'2026-01-01 00:00:00.000'"],
        ["3", "1e300", "3.4028235e38", "'9999999999.99'", "'999999999999999999'", "'0.000'", "'-12.30'",
         "'2000-02-29'", "'1970-01-01'", "'2299-12-31 23:59:59.999'", "'1970-01-01 00:00:00'", "true",
         "0", "1", "0", "1", "0", "1", "0", "1",
         "''", "-1.7976931348623157e308", "'0.01'", "'1969-12-31 23:59:59.999'", "'2026-03-29 01:30:00.000'"],
        ["4", "5e-324", "1.1754944e-38", "'0.00'", "'-999999999999999999'", "'-0.100'", "NULL",
         "'2026-11-01'", "'2026-11-01'", "'1970-01-01 00:00:00.000'", "'2026-11-01 00:00:00'", "false",
         "1", "2", "3", "4", "5", "6", "7", "8",
         "'ünïcødé \"q\"'", "123456.789", "'100.10'", "'2026-11-01 00:00:00.000'", "'2026-10-25 02:00:00.000'"],
        // Not-a-number and the infinities: ClickHouse wrote them as JSON null unless asked to quote them,
        // and the API then left the field out (a client read 0).
        ["5", "'NaN'", "'Infinity'", "'0.00'", "'0'", "'0.000'", "NULL",
         "'2026-11-01'", "'2026-11-01'", "'1970-01-01 00:00:00.000'", "'2026-11-01 00:00:00'", "false",
         "1", "2", "3", "4", "5", "6", "7", "8",
         "'x'", "'-Infinity'", "'0.01'", "'2026-11-01 00:00:00.000'", "'2026-10-25 02:00:00.000'"],
    ]

    @Test("ClickHouse and Postgres executors answer identical values and JSON")
    func identicalAnswers() async throws {
        let name = DevStack.uniqueName("qv")
        let clickhouse = try await clickhouseAnswer(table: name)
        let postgres = try await postgresAnswer(schema: name)
        #expect(clickhouse.columns == postgres.columns)
        #expect(clickhouse.rows.count == Self.rows.count)
        for (index, (ch, pg)) in zip(clickhouse.rows, postgres.rows).enumerated() {
            for (column, clickhouseType, _, _) in Self.columns where clickhouseType != "UInt64" {
                // UInt64 decodes as uint64, bigint as int64: different cases, same JSON (checked below).
                // NaN equals nothing, itself included: compared by its description.
                #expect(ch[column] == pg[column] || "\(String(describing: ch[column]))" == "\(String(describing: pg[column]))",
                        "row \(index + 1) column \(column)")
            }
        }
        let chJSON = try Self.render(clickhouse)
        let pgJSON = try Self.render(postgres)
        #expect(chJSON == pgJSON)

        // The edge values render as the API promises.
        let first = try #require(clickhouse.rows.first)
        #expect(try Self.json(first, "f64") == "0.15832928596944662")
        #expect(try Self.json(first, "dec") == #""12.30""#)
        #expect(try Self.json(first, "dec0") == #""-42""#)
        #expect(try Self.json(first, "dec38") == #""123456789012345678901234567890123.500""#)
        #expect(try Self.json(first, "d") == #""1970-01-01""#)
        #expect(try Self.json(first, "d32") == #""1900-01-01""#)
        #expect(try Self.json(first, "ts") == #""2026-03-01T10:15:00.123Z""#)
        #expect(try Self.json(first, "i64") == #""-9223372036854775808""#)
        #expect(try Self.json(first, "s") == #""Code: 1. DB::Exception: boom""#)
        #expect(try Self.json(first, "mn") == "2.5")
        #expect(try Self.json(first, "mx") == #""-0.50""#)
        #expect(try Self.json(first, "tsb") == #""2026-07-01T10:15:00.123Z""#)
        for answer in [clickhouse, postgres] {
            let fifth = try #require(answer.rows.last)
            #expect(try Self.json(fifth, "f64") == #""NaN""#)
            #expect(try Self.json(fifth, "f32") == #""Infinity""#)
            #expect(try Self.json(fifth, "mn") == #""-Infinity""#)
        }
        #expect(first["ndec"] == .null)
        let second = clickhouse.rows[1]
        #expect(try Self.json(second, "f64") == "0")
        #expect(try Self.json(second, "dec") == #""-0.50""#)
        #expect(try Self.json(second, "ndec") == #""0.00""#)
        #expect(try Self.json(second, "d") == #""2149-06-06""#)
        #expect(try Self.json(second, "ts") == #""1900-01-01T00:00:00.001Z""#)
        #expect(second["mn"] == .null && second["mx"] == .null && second["s"] == .null)
        #expect(try Self.json(clickhouse.rows[2], "f64") == "1e+300")
        #expect(try Self.json(clickhouse.rows[3], "f64") == "5e-324")
        #expect(try Self.json(clickhouse.rows[3], "dec38") == #""-0.100""#)
    }

    // MARK: - stores

    private func clickhouseAnswer(table: String) async throws -> QueryResult {
        let admin = try ClickHouseClient(dsn: DevStack.clickhouseDSN)
        let definition = Self.columns.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        try await admin.execute("CREATE TABLE \(table) (tenant_id String, \(definition)) ENGINE = MergeTree ORDER BY id")
        do {
            let values = Self.rows.map { row in
                "('t', " + zip(row, Self.columns).map { literal, column in
                    // Literals are UTC times; a column in another zone converts them.
                    column.1.contains("Europe/Berlin") ? "toDateTime64(\(literal), 3, 'UTC')" : literal
                }.joined(separator: ", ") + ")"
            }.joined(separator: ", ")
            try await admin.execute("INSERT INTO \(table) VALUES \(values)")
            let executor = try ClickHouseQueryExecutor(dsn: DevStack.clickhouseDSN, limits: QueryLimits())
            let query = PreparedQuery(
                method: "Parity", store: .clickhouse, path: "parity.sql",
                sql: "SELECT \(Self.columns.map(\.0).joined(separator: ", ")) FROM \(table) WHERE tenant_id = {tenant_id:String} ORDER BY id",
                placeholders: [QueryPlaceholder(name: "tenant_id", storeType: "String")])
            let result = try await executor.execute(query, tenant: "t", parameters: [:])
            await executor.shutdown()
            try await admin.execute("DROP TABLE IF EXISTS \(table)")
            return result
        } catch {
            _ = try? await admin.execute("DROP TABLE IF EXISTS \(table)")
            throw error
        }
    }

    private func postgresAnswer(schema: String) async throws -> QueryResult {
        let admin = try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
        defer { admin.close() }
        try await admin.execute("CREATE SCHEMA \(schema)")
        do {
            let definition = Self.columns.map { "\($0.0) \($0.2)" }.joined(separator: ", ")
            try await admin.execute("CREATE TABLE \(schema).parity (tenant_id text, \(definition))")
            let values = Self.rows.map { row in
                "('t', " + zip(row, Self.columns).map { literal, column in
                    Self.postgresLiteral(literal, type: column.2)
                }.joined(separator: ", ") + ")"
            }.joined(separator: ", ")
            try await admin.execute("INSERT INTO \(schema).parity VALUES \(values)")
            let executor = PostgresQueryExecutor(dsn: DevStack.postgresDSN, limits: QueryLimits())
            let query = PreparedQuery(
                method: "Parity", store: .postgres, path: "parity.sql",
                sql: "SELECT \(Self.columns.map(\.0).joined(separator: ", ")) FROM \(schema).parity WHERE tenant_id = $1 ORDER BY id",
                placeholders: [QueryPlaceholder(name: "tenant_id", storeType: nil)])
            let result = try await executor.execute(query, tenant: "t", parameters: [:])
            await executor.shutdown()
            try await admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
            return result
        } catch {
            _ = try? await admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
            throw error
        }
    }

    /// A ClickHouse literal for Postgres: parenthesized before the cast (so `-2147483648` is one
    /// value, not minus an overflowing one) and timestamps pinned to UTC whatever the session zone.
    static func postgresLiteral(_ literal: String, type: String) -> String {
        guard literal != "NULL" else { return "NULL" }
        if type == "timestamptz" { return "(\(literal.dropLast())+00')::timestamptz" }
        return "(\(literal))::\(type)"
    }

    // MARK: - rendering

    /// The rows as the API's response encoder writes them (NULL columns omitted).
    static func render(_ result: QueryResult) throws -> String {
        let rows: [JSONValue] = try result.rows.map { row in
            .object(try columns.compactMap { name, _, _, type in
                guard let value = row[name], value != .null else { return nil }
                guard let json = ResponseEncoder.json(value, for: type) else {
                    throw RenderFailure(column: name, value: value)
                }
                return (key: name, value: json)
            })
        }
        return JSONWriter.write(.array(rows))
    }

    static func json(_ row: [String: ColumnValue], _ column: String) throws -> String {
        let type = try #require(columns.first { $0.0 == column }?.3)
        let value = try #require(row[column])
        let json = try #require(ResponseEncoder.json(value, for: type), "\(column): \(value)")
        return JSONWriter.write(json)
    }

    struct RenderFailure: Error {
        var column: String
        var value: ColumnValue
    }
}
