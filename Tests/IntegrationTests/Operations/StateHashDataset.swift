import ClickHouseHTTP
import Columnstore
import LibPQ
import IngestTestKit

/// One logical state of the orders-analytics tables, written into a store in different physical
/// shapes: Postgres gets the merged rows (as ingest leaves them there), ClickHouse either the merged
/// rows in one block or the way ingest leaves them before merges (each day split over parts, a key
/// whose parts cancel out, older order versions, one of them in another partition), one block per row.
enum StateHashDataset {
    struct Sale: Sendable {
        var tenant: String
        var day: String
        var orderCount: Int64
        var grossCents: Int64
        var refundCents: Int64
    }

    struct Order: Sendable {
        var tenant: String
        var orderID: String
        var customerID: String
        var amountCents: Int64
        var currency: String
        /// `YYYY-MM-DD hh:mm:ss.fff`, UTC.
        var placedAt: String
        var version: Int64
    }

    /// A tenant id that looks like SQL and one with a tab and non-ASCII letters: both must be bound,
    /// never spliced, and hash the same on both stores.
    static let hostile = "evil' OR '1'='1"
    static let tenants = ["acme", "globex", hostile, "ünï\tcode"]

    /// Merged daily sales, including a key whose sums are all zero (left out of the hash).
    static let sales: [Sale] = {
        var rows: [Sale] = []
        for (t, tenant) in tenants.enumerated() {
            for d in 1...6 {
                rows.append(Sale(tenant: tenant, day: "2026-11-0\(d)", orderCount: Int64(d + t), grossCents: Int64(d * 1000 + t),
                                 refundCents: d % 2 == 0 ? Int64(50 * d) : 0))
            }
        }
        rows.append(Sale(tenant: "globex", day: "2026-11-09", orderCount: 0, grossCents: 0, refundCents: 0))
        return rows
    }()

    /// The same sales as ClickHouse holds them before merging: every day in two parts.
    static let salesParts: [Sale] = {
        var parts: [Sale] = []
        for sale in sales {
            if sale.orderCount == 0 && sale.grossCents == 0 {
                // Parts that cancel out: the merged row is all zeros and SummingMergeTree deletes it.
                parts.append(Sale(tenant: sale.tenant, day: sale.day, orderCount: 1, grossCents: 500, refundCents: 0))
                parts.append(Sale(tenant: sale.tenant, day: sale.day, orderCount: -1, grossCents: -500, refundCents: 0))
                continue
            }
            parts.append(Sale(tenant: sale.tenant, day: sale.day, orderCount: sale.orderCount - 1, grossCents: sale.grossCents - 123,
                              refundCents: sale.refundCents))
            parts.append(Sale(tenant: sale.tenant, day: sale.day, orderCount: 1, grossCents: 123, refundCents: 0))
        }
        return parts
    }()

    /// Latest order versions.
    static let orders: [Order] = {
        var rows: [Order] = []
        for (t, tenant) in tenants.enumerated() {
            for i in 1...15 {
                let millis = String(repeating: "0", count: 3 - String(i * 7 % 1000).count) + String(i * 7 % 1000)
                rows.append(Order(
                    tenant: tenant, orderID: "o\(i)", customerID: "c\(i % 4)", amountCents: Int64((i * 137 + t * 11) % 5000),
                    currency: i % 3 == 0 ? "USD" : "EUR", placedAt: "2026-11-0\(1 + i % 5) 1\(i % 10):0\(t):\(10 + i).\(millis)",
                    version: Int64(i * 10 + t)))
            }
        }
        return rows
    }()

    /// Older versions of every fourth order (one in October, another partition), which FINAL must hide.
    static let staleOrders: [Order] = orders.enumerated().compactMap { index, order in
        guard index % 4 == 0 else { return nil }
        var stale = order
        stale.amountCents += 999
        stale.customerID = "old"
        stale.version -= 5
        if index % 8 == 0 { stale.placedAt = "2026-10-31 23:59:59.999" }
        return stale
    }

    // MARK: - Postgres

    /// The merged state. `versionOffset` shifts `_version` as a rebuild from another stream would.
    static func insertMerged(into connection: PostgresConnection, versionOffset: Int64 = 0) async throws {
        for sale in sales {
            try await connection.query(
                "INSERT INTO daily_sales VALUES ($1, $2::date, $3, $4, $5)",
                [.text(sale.tenant), .text(sale.day), .int64(sale.orderCount), .int64(sale.grossCents), .int64(sale.refundCents)])
        }
        for order in orders {
            try await connection.query(
                "INSERT INTO orders VALUES ($1, $2, $3, $4, $5, ($6::timestamp AT TIME ZONE 'UTC'), $7)",
                [.text(order.tenant), .text(order.orderID), .text(order.customerID), .int64(order.amountCents),
                 .text(order.currency), .text(order.placedAt), .int64(order.version + versionOffset)])
        }
    }

    // MARK: - ClickHouse

    /// The merged state, one block per table.
    static func insertMerged(into client: ClickHouseClient) async throws {
        try await insert(sales.map(json), into: "daily_sales", client: client)
        try await insert(orders.map(json), into: "orders", client: client)
    }

    /// The unmerged state, one block (hence at least one part) per row, in a scrambled order.
    static func insertParts(into client: ClickHouseClient) async throws {
        var rows = salesParts.map { ("daily_sales", json($0)) } + (staleOrders + orders).map { ("orders", json($0)) }
        var generator = SplitMix64(seed: 7)
        rows.shuffle(using: &generator)
        for (table, row) in rows { try await insert([row], into: table, client: client) }
    }

    /// Rows as JSONEachRow: no SQL is built from the data.
    static func insert(_ rows: [JSONValue], into table: String, client: ClickHouseClient) async throws {
        let body = rows.map(JSONWriter.write).joined(separator: "\n") + "\n"
        try await client.insert(into: table, format: "JSONEachRow", body: .bytes(Array(body.utf8)))
    }

    static func json(_ sale: Sale) -> JSONValue {
        .object([
            ("tenant_id", .string(sale.tenant)), ("day", .string(sale.day)), ("order_count", .number(String(sale.orderCount))),
            ("gross_cents", .number(String(sale.grossCents))), ("refund_cents", .number(String(sale.refundCents))),
        ])
    }

    static func json(_ order: Order) -> JSONValue {
        .object([
            ("tenant_id", .string(order.tenant)), ("order_id", .string(order.orderID)), ("customer_id", .string(order.customerID)),
            ("amount_cents", .number(String(order.amountCents))), ("currency", .string(order.currency)),
            ("placed_at", .string(order.placedAt)), ("_version", .number(String(order.version))),
        ])
    }
}
