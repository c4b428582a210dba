import ClickHouseHTTP
import Columnstore

/// Reads table state from ClickHouse as it is once every part is merged, whatever merges have run:
/// aggregate tables are grouped by their key with their measures' functions (`sum`, `max`, `min`),
/// latest tables are read with `FINAL` (the highest version per key wins). The tenant travels as the
/// `{tenant:String}` query parameter; table and column names come from the schema.
public final class ClickHouseStateHashReader: StateHashReader {
    public var store: StoreKind { .clickhouse }
    public let location: String
    private let client: ClickHouseClient

    public init(client: ClickHouseClient) {
        self.client = client
        self.location = client.dsn.redacted
    }

    /// - Throws: `ClickHouseError` `.invalidDSN`.
    public convenience init(dsn: String, requestTimeout: Duration = .seconds(300)) throws {
        let configuration = ClickHouseClient.Configuration(requestTimeout: requestTimeout, poolSize: 1)
        self.init(client: try ClickHouseClient(dsn: dsn, configuration: configuration))
    }

    /// Read-only, 64-bit integers quoted (exact), NaN/Inf as strings (never confused with NULL), and
    /// `FINAL` deduplicating across partitions.
    static let settings: [String: String] = [
        "output_format_json_quote_64bit_integers": "1",
        "output_format_json_quote_denormals": "1",
        "do_not_merge_across_partitions_select_final": "0",
        "readonly": "1",
    ]

    public func tenants(of layout: StateHashLayout) async throws -> [String] {
        let tenant = Self.quote(layout.tenantColumn.name)
        let sql = "SELECT DISTINCT toString(\(tenant)) FROM \(Self.quote(layout.table.name)) ORDER BY 1 FORMAT JSONCompact"
        let cells = try await query(sql, parameters: [:], layout: layout)
        return try cells.map { row in
            guard case .string(let value)? = row.first else {
                throw StateHashError(.unexpectedValue, table: layout.table.name, "a tenant is not a string")
            }
            return value
        }
    }

    /// The HTTP answer is read whole (bounded by the client's `maxResponseBytes`), since pages over
    /// separate statements would not share a snapshot of the table; its rows (`JSONCompactEachRow`,
    /// one per line) are decoded and handed on `pageRows` at a time, so only the answer's bytes and
    /// one page are held, never a document tree of the whole tenant. An error that strikes after the
    /// first rows is the client's (`X-ClickHouse-Exception-Tag`); a line that is not a row of the
    /// layout's width (an older server's exception) is an error too: never a hash of part of a table.
    public func pages(of layout: StateHashLayout, tenant: String, pageRows: Int, _ page: ([[ColumnValue]]) throws -> Void) async throws {
        let body = try await fetch(Self.rowsQuery(layout), parameters: ["tenant": tenant], layout: layout)
        var rows: [[ColumnValue]] = []
        rows.reserveCapacity(min(max(1, pageRows), 1024))
        var start = body.startIndex
        while start < body.endIndex {
            let end = body[start...].firstIndex(of: 0x0A) ?? body.endIndex
            if end > start {
                rows.append(try Self.row(body[start..<end], layout: layout))
                if rows.count >= pageRows {
                    try page(rows)
                    rows.removeAll(keepingCapacity: true)
                }
            }
            start = end + 1
        }
        if !rows.isEmpty { try page(rows) }
    }

    /// One `JSONCompactEachRow` line as the layout's values.
    static func row(_ line: ArraySlice<UInt8>, layout: StateHashLayout) throws -> [ColumnValue] {
        let cells: [JSONValue]
        do {
            guard case .array(let array) = try JSONParser.parse(line) else {
                throw StateHashError(.unexpectedValue, table: layout.table.name, "a line of the answer is not a row: \(String(decoding: line.prefix(300), as: UTF8.self))")
            }
            cells = array
        } catch let error as JSONParseError {
            throw StateHashError(.unexpectedValue, table: layout.table.name, "unreadable JSONCompactEachRow line: \(error)")
        }
        guard cells.count == layout.columns.count else {
            throw StateHashError(.unexpectedValue, table: layout.table.name, "a row has \(cells.count) values for \(layout.columns.count) columns")
        }
        return try zip(cells, layout.columns).map { cell, column in
            let text: String
            switch cell {
            case .null: return .null
            case .string(let s): text = s
            case .number(let n): text = n
            case .bool(let b): text = b ? "true" : "false"
            default: text = "\(cell)"
            }
            guard let value = StateHashCell.value(text, type: column.type) else {
                throw StateHashError(.unexpectedValue, table: layout.table.name,
                                     "column \(column.name) (\(column.type.canonicalName)) holds \"\(text)\"")
            }
            return value
        }
    }

    public func close() async {}

    /// The merged rows of one tenant (`{tenant:String}`), hashed columns in order, in key order.
    static func rowsQuery(_ layout: StateHashLayout) -> String {
        let table = layout.table
        let key = layout.orderColumns.map { quote($0.name) }.joined(separator: ", ")
        // The hash's key order (`StateHasher.compare`): NULL first.
        let order = layout.orderColumns.map { quote($0.name) + ($0.nullable ? " NULLS FIRST" : "") }.joined(separator: ", ")
        let tenantFilter = "\(quote(layout.tenantColumn.name)) = {tenant:String}"
        switch table.kind {
        case .aggregate:
            let keyNames = Set(layout.orderColumns.map(\.name))
            let select = layout.columns.map { column -> String in
                let name = quote(column.name)
                if !keyNames.contains(column.name), let function = column.aggregate {
                    // int32 and decimal SUMs in the column's type (`ClickHouseDDL.simpleFunction`): exact
                    // across parts a merge stored wrapped, where `sum` would widen first.
                    return shape("\(ClickHouseDDL.simpleFunction(function, of: column.type))(\(name))", column.type)
                }
                return shape(name, column.type)
            }
            return "SELECT \(select.joined(separator: ", ")) FROM \(quote(table.name)) WHERE \(tenantFilter) "
                + "GROUP BY \(key) ORDER BY \(order) FORMAT JSONCompactEachRow"
        case .latest:
            let select = layout.columns.map { shape(quote($0.name), $0.type) }
            return "SELECT \(select.joined(separator: ", ")) FROM \(quote(table.name)) FINAL WHERE \(tenantFilter) "
                + "ORDER BY \(order) FORMAT JSONCompactEachRow"
        case .append:
            let select = layout.columns.map { shape(quote($0.name), $0.type) }
            return "SELECT \(select.joined(separator: ", ")) FROM \(quote(table.name)) WHERE \(tenantFilter) "
                + "ORDER BY \(order) FORMAT JSONCompactEachRow"
        }
    }

    /// The expression in the store-independent shape `StateHashCell` reads.
    static func shape(_ expression: String, _ type: ColumnType) -> String {
        switch type {
        case .timestamp: return "toUnixTimestamp64Milli(\(expression))"
        case .date, .decimal: return "toString(\(expression))"
        case .string: return "toString(\(expression))"
        case .int32, .int64, .uint64, .float64, .bool: return expression
        }
    }

    static func quote(_ name: String) -> String { ClickHouseClient.quoteIdentifier(name) }

    private func fetch(_ sql: String, parameters: [String: String], layout: StateHashLayout) async throws -> [UInt8] {
        do {
            return try await client.query(sql, parameters: parameters, settings: Self.settings).body
        } catch let error as ClickHouseError {
            throw StateHashError(.store, table: layout.table.name, "cannot read from \(location): \(error)")
        }
    }

    private func query(_ sql: String, parameters: [String: String], layout: StateHashLayout) async throws -> [[JSONValue]] {
        let body = try await fetch(sql, parameters: parameters, layout: layout)
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw StateHashError(.unexpectedValue, table: layout.table.name, "unreadable JSONCompact answer: \(error)")
        }
        // A server before 25.11 writes an error that strikes after the first rows into the JSON document
        // itself, as an `exception` member beside shorter `data`: never a hash of part of a table.
        if case .string(let exception)? = document["exception"] {
            throw StateHashError(.store, table: layout.table.name, "the store failed while answering: \(exception.prefix(300))")
        }
        guard case .array(let data)? = document["data"] else {
            throw StateHashError(.unexpectedValue, table: layout.table.name, "JSONCompact answer without data")
        }
        return try data.map { entry in
            guard case .array(let cells) = entry else {
                throw StateHashError(.unexpectedValue, table: layout.table.name, "JSONCompact row is not an array")
            }
            return cells
        }
    }
}
