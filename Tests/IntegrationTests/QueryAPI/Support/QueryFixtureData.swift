import ClickHouseHTTP
import Columnstore
import LibPQ

/// The same facts' read models for both stores. ClickHouse gets them the way ingest leaves them
/// before merges (a day split over two inserts, an order in two versions); Postgres gets the
/// merged state. Answers must nevertheless be identical.
enum QueryFixtureData {
    static let acme = "acme"
    static let globex = "globex"
    /// A tenant id that looks like SQL; it must only ever match itself.
    static let hostile = "evil' OR '1'='1"

    /// (tenant, day, order_count, gross_cents, refund_cents), merged.
    static let dailySales: [(String, String, Int64, Int64, Int64)] = [
        (acme, "2026-11-01", 3, 3500, 200),
        (acme, "2026-11-02", 3, 3500, 0),
        (acme, "2026-11-05", 0, 0, 300),
        (globex, "2026-11-01", 7, 70_000, 0),
        (globex, "2026-11-03", 1, 1, 0),
        (hostile, "2026-11-02", 5, 5, 0),
    ]

    /// (tenant, order_id, customer_id, amount_cents, currency, placed_at, version), latest versions.
    static let orders: [(String, String, String, Int64, String, String, Int64)] = [
        (acme, "o1", "c1", 2000, "EUR", "2026-11-01 10:00:00.123", 7),
        (acme, "o2", "c2", 1500, "EUR", "2026-11-01 12:00:00", 2),
        (acme, "o3", "c2", 500, "EUR", "2026-11-02 23:59:59.999", 3),
        (acme, "o4", "c3", 2000, "USD", "2026-11-02 08:30:00", 4),
        (acme, "o5", "c4", 100, "EUR", "2026-10-31 23:59:59.999", 5),
        (acme, "o6", "c5", 50, "EUR", "2026-11-03 00:00:00", 6),
        (globex, "o1", "c9", 99_999, "USD", "2026-11-01 09:00:00", 8),
        (hostile, "o7", "cx", 777, "EUR", "2026-11-02 10:00:00", 9),
    ]

    static func insert(into client: ClickHouseClient) async throws {
        func q(_ s: String) -> String {
            "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        // 2026-11-01 of acme arrives in two parts; the query must sum them.
        try await client.execute("INSERT INTO daily_sales (tenant_id, day, order_count, gross_cents, refund_cents) VALUES ('acme', '2026-11-01', 2, 3000, 0)")
        try await client.execute("INSERT INTO daily_sales (tenant_id, day, order_count, gross_cents, refund_cents) VALUES ('acme', '2026-11-01', 1, 500, 200)")
        for (tenant, day, count, gross, refund) in dailySales where !(tenant == acme && day == "2026-11-01") {
            try await client.execute("INSERT INTO daily_sales (tenant_id, day, order_count, gross_cents, refund_cents) VALUES (\(q(tenant)), '\(day)', \(count), \(gross), \(refund))")
        }
        // An older version of o1 in its own part; FINAL must hide it.
        try await client.execute("INSERT INTO orders VALUES ('acme', 'o1', 'c0', 1000, 'EUR', '2026-11-01 10:00:00.123', 1)")
        for (tenant, order, customer, amount, currency, placed, version) in orders {
            try await client.execute("INSERT INTO orders VALUES (\(q(tenant)), '\(order)', '\(customer)', \(amount), '\(currency)', '\(placed)', \(version))")
        }
    }

    static func insert(into connection: PostgresConnection) async throws {
        for (tenant, day, count, gross, refund) in dailySales {
            try await connection.query(
                "INSERT INTO daily_sales (tenant_id, day, order_count, gross_cents, refund_cents) VALUES ($1, $2::date, $3, $4, $5)",
                [.text(tenant), .text(day), .int64(count), .int64(gross), .int64(refund)])
        }
        for (tenant, order, customer, amount, currency, placed, version) in orders {
            try await connection.query(
                "INSERT INTO orders VALUES ($1, $2, $3, $4, $5, ($6::timestamp AT TIME ZONE 'UTC'), $7)",
                [.text(tenant), .text(order), .text(customer), .int64(amount), .text(currency), .text(placed), .int64(version)])
        }
    }
}
