import LibPQ
import Logging
import Columnstore

/// Reads table state from Postgres, where aggregate and latest tables already hold one merged row
/// per key. One connection, in read-only transactions with `TimeZone=UTC`; the tenant is bound as
/// `$1`; table and column names come from the schema; text keys are ordered with `COLLATE "C"` (by
/// bytes, as ClickHouse orders them); a tenant's rows come in pages through a cursor.
public final class PostgresStateHashReader: StateHashReader {
    public var store: StoreKind { .postgres }
    public let location: String
    private let dsn: String
    private let logger: Logger
    private let connection: ConnectionBox

    /// Lazily opened on first use, so a wrong DSN surfaces as a store error naming the redacted DSN.
    private actor ConnectionBox {
        var connection: PostgresConnection?
        func get(open: () async throws -> PostgresConnection) async throws -> PostgresConnection {
            if let connection { return connection }
            let opened = try await open()
            connection = opened
            return opened
        }
        func close() {
            connection?.close()
            connection = nil
        }
    }

    public init(dsn: String, logger: Logger = Logger(label: "projection.hash.postgres")) {
        self.dsn = dsn
        self.logger = logger
        self.location = PostgresDSN.redacted(dsn)
        self.connection = ConnectionBox()
    }

    static let sessionSetup = """
        SET TimeZone = 'UTC';
        SET extra_float_digits = 3;
        SET default_transaction_read_only = on
        """

    public func tenants(of layout: StateHashLayout) async throws -> [String] {
        let tenant = Self.quote(layout.tenantColumn.name)
        let rows = try await query("SELECT DISTINCT \(tenant)::text FROM \(Self.quote(layout.table.name))", [], layout: layout)
        return rows.compactMap { $0[0] }
    }

    /// Pages through a cursor, so a tenant's table is never in memory at once: one read-only
    /// transaction, `DECLARE … NO SCROLL CURSOR` over `rowsQuery` (one snapshot for every page), then
    /// `FETCH FORWARD pageRows` until the rows run out.
    public func pages(of layout: StateHashLayout, tenant: String, pageRows: Int, _ page: ([[ColumnValue]]) throws -> Void) async throws {
        let connection = try await open(layout)
        do {
            try await connection.transaction { connection in
                _ = try await connection.query("DECLARE projection_state_hash NO SCROLL CURSOR FOR " + Self.rowsQuery(layout), [.text(tenant)])
                while true {
                    let rows = try await connection.query("FETCH FORWARD \(max(1, pageRows)) FROM projection_state_hash")
                    if rows.isEmpty { break }
                    try page(try Self.values(rows, layout: layout))
                    if rows.count < pageRows { break }
                }
            }
        } catch let error as PostgresError {
            throw StateHashError(.store, table: layout.table.name, "cannot read from \(location): \(error)")
        }
    }

    static func values(_ rows: PostgresRows, layout: StateHashLayout) throws -> [[ColumnValue]] {
        try rows.map { row in
            guard row.values.count == layout.columns.count else {
                throw StateHashError(.unexpectedValue, table: layout.table.name, "a row has \(row.values.count) values for \(layout.columns.count) columns")
            }
            return try zip(row.values, layout.columns).map { text, column in
                guard let text else { return .null }
                guard let value = StateHashCell.value(text, type: column.type) else {
                    throw StateHashError(.unexpectedValue, table: layout.table.name,
                                         "column \(column.name) (\(column.type.canonicalName)) holds \"\(text)\"")
                }
                return value
            }
        }
    }

    public func close() async {
        await connection.close()
    }

    /// One tenant's rows (`$1`), hashed columns in order, in key order.
    static func rowsQuery(_ layout: StateHashLayout) -> String {
        let select = layout.columns.map { shape(quote($0.name), $0.type) }.joined(separator: ", ")
        // The hash's key order (`StateHasher.compare`): text by bytes, NULL first.
        let order = layout.orderColumns.map { column in
            (column.type == .string ? "\(quote(column.name)) COLLATE \"C\"" : quote(column.name)) + (column.nullable ? " NULLS FIRST" : "")
        }.joined(separator: ", ")
        return "SELECT \(select) FROM \(quote(layout.table.name)) WHERE \(quote(layout.tenantColumn.name)) = $1 ORDER BY \(order)"
    }

    /// The expression in the store-independent shape `StateHashCell` reads.
    static func shape(_ expression: String, _ type: ColumnType) -> String {
        switch type {
        // Epoch milliseconds, truncated like DateTime64(3); exact (extract returns numeric).
        case .timestamp: return "floor(extract(epoch FROM \(expression)) * 1000)::bigint"
        case .date: return "to_char(\(expression), 'YYYY-MM-DD')"
        case .decimal: return "\(expression)::text"
        case .string, .int32, .int64, .uint64, .float64, .bool: return expression
        }
    }

    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static let statementDeadline: Duration = .seconds(300)

    private func open(_ layout: StateHashLayout) async throws -> PostgresConnection {
        do {
            return try await connection.get {
                let opened = try await PostgresConnection.connect(dsn: dsn, logger: logger)
                // As long as the ClickHouse reader waits: a statement stuck behind a lock ends as an error.
                opened.statementDeadline = Self.statementDeadline
                try await opened.execute(Self.sessionSetup)
                return opened
            }
        } catch let error as PostgresError {
            throw StateHashError(.store, table: layout.table.name, "cannot read from \(location): \(error)")
        }
    }

    private func query(_ sql: String, _ parameters: [PostgresValue], layout: StateHashLayout) async throws -> PostgresRows {
        let connection = try await open(layout)
        do {
            return try await connection.query(sql, parameters)
        } catch let error as PostgresError {
            throw StateHashError(.store, table: layout.table.name, "cannot read from \(location): \(error)")
        }
    }
}
