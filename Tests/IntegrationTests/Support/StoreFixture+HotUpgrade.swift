import Foundation

/// Readers for the columns the orders-analytics v2 fixture adds (`orders.placed_day`,
/// `daily_sales.refund_count`), used by the hot-upgrade test.
extension StoreFixture {
    /// tenant → day → refunds, as the store has them.
    func refundCounts() async throws -> [String: [String: Int64]] {
        let rows = try await rows(
            "SELECT tenant_id, toString(day), sum(refund_count) FROM daily_sales GROUP BY tenant_id, day HAVING sum(refund_count) != 0",
            postgres: "SELECT tenant_id, to_char(day, 'YYYY-MM-DD'), refund_count FROM daily_sales WHERE refund_count != 0")
        var result: [String: [String: Int64]] = [:]
        for r in rows { result[r[0], default: [:]][r[1]] = Int64(r[2])! }
        return result
    }

    /// tenant → order id → placed day ("YYYY-MM-DD"), latest version.
    func placedDays() async throws -> [String: [String: String]] {
        let rows = try await rows(
            "SELECT tenant_id, order_id, toString(placed_day) FROM orders FINAL",
            postgres: "SELECT tenant_id, order_id, coalesce(to_char(placed_day, 'YYYY-MM-DD'), '') FROM orders")
        var result: [String: [String: String]] = [:]
        for r in rows { result[r[0], default: [:]][r[1]] = r[2] }
        return result
    }

    /// Whether the live `table` has `column` (v1 and v2 tables differ only in their columns).
    func hasColumn(_ table: String, _ column: String) async throws -> Bool {
        let rows = try await rows(
            "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = '\(table)' AND name = '\(column)'",
            postgres: "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '\(table)' AND column_name = '\(column)'")
        return rows.first?.first == "1"
    }
}
