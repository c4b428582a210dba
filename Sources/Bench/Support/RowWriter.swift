import ClickHouseHTTP
import Columnstore
import LibPQ
import PostgresBackend

/// Writes `RowBatch`es into `orders` and `daily_sales` of one store, with nothing else around them.
enum RowWriter {
    case clickhouse(ClickHouseClient)
    case postgres(PostgresConnection)

    static func open(_ target: StoreTarget) async throws -> RowWriter {
        switch target.kind {
        case .clickhouse: return .clickhouse(try ClickHouseClient(dsn: target.isolatedDSN))
        case .postgres: return .postgres(try await PostgresConnection.connect(dsn: target.isolatedDSN))
        }
    }

    var method: String {
        switch self {
        case .clickhouse: "RowBinary INSERT per table per batch (no insert_deduplication_token)"
        case .postgres: "one transaction per batch: INSERT … SELECT FROM unnest($n::type[]) ON CONFLICT DO UPDATE per table"
        }
    }

    func close() {
        if case .postgres(let connection) = self { connection.close() }
    }

    func write(_ rows: RowBatch) async throws {
        switch self {
        case .clickhouse(let client):
            var orders = RowBinaryWriter(reservingCapacity: rows.orders.count * 48)
            for o in rows.orders {
                orders.writeString(o.tenant)
                orders.writeString(o.orderID)
                orders.writeString(o.customerID)
                orders.writeInt64(o.amountCents)
                orders.writeString(o.currency)
                orders.writeDateTime64(ticks: o.placedAtMillis)
                orders.writeUInt64(o.version)
            }
            try await client.insert(
                into: "orders", columns: ["tenant_id", "order_id", "customer_id", "amount_cents", "currency", "placed_at", "_version"],
                body: .bytes(orders.take()))
            var daily = RowBinaryWriter(reservingCapacity: rows.daily.count * 40)
            for (key, totals) in rows.daily {
                daily.writeString(key.tenant)
                daily.writeUInt16(UInt16(clamping: key.day))
                daily.writeInt64(totals.orderCount)
                daily.writeInt64(totals.grossCents)
                daily.writeInt64(totals.refundCents)
            }
            try await client.insert(
                into: "daily_sales", columns: ["tenant_id", "day", "order_count", "gross_cents", "refund_cents"],
                body: .bytes(daily.take()))
        case .postgres(let connection):
            var tenants = ArrayLiteral(), ids = ArrayLiteral(), customers = ArrayLiteral(), amounts = ArrayLiteral()
            var currencies = ArrayLiteral(), placed = ArrayLiteral(), versions = ArrayLiteral()
            for o in rows.orders {
                tenants.append(o.tenant)
                ids.append(o.orderID)
                customers.append(o.customerID)
                amounts.appendBare(o.amountCents)
                currencies.append(o.currency)
                placed.append(RFC3339Text.format(millis: o.placedAtMillis))
                versions.appendBare(o.version)
            }
            var dTenants = ArrayLiteral(), days = ArrayLiteral(), counts = ArrayLiteral(), gross = ArrayLiteral(), refunds = ArrayLiteral()
            for (key, totals) in rows.daily {
                dTenants.append(key.tenant)
                days.append(RFC3339Text.date(days: key.day))
                counts.appendBare(totals.orderCount)
                gross.appendBare(totals.grossCents)
                refunds.appendBare(totals.refundCents)
            }
            let orderParams: [PostgresValue] = [tenants, ids, customers, amounts, currencies, placed, versions].map { .text($0.literal) }
            let dailyParams: [PostgresValue] = [dTenants, days, counts, gross, refunds].map { .text($0.literal) }
            try await connection.transaction { connection in
                try await connection.query(Self.ordersUpsert, orderParams)
                try await connection.query(Self.dailyUpsert, dailyParams)
            }
        }
    }

    // The statements PostgresProjectionStore.upsertStatement generates for these two tables.
    static let ordersUpsert = """
        INSERT INTO "orders" AS t ("tenant_id", "order_id", "customer_id", "amount_cents", "currency", "placed_at", "_version")
        SELECT c0, c1, c2, c3, c4, c5, c6 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[], $7::bigint[]) AS u(c0, c1, c2, c3, c4, c5, c6)
        ON CONFLICT ("tenant_id", "order_id") DO UPDATE SET "customer_id" = EXCLUDED."customer_id", "amount_cents" = EXCLUDED."amount_cents", "currency" = EXCLUDED."currency", "placed_at" = EXCLUDED."placed_at", "_version" = EXCLUDED."_version"
        WHERE t."_version" < EXCLUDED."_version"
        """
    static let dailyUpsert = """
        INSERT INTO "daily_sales" AS t ("tenant_id", "day", "order_count", "gross_cents", "refund_cents")
        SELECT c0, c1, c2, c3, c4 FROM unnest($1::text[], $2::date[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u(c0, c1, c2, c3, c4)
        ON CONFLICT ("tenant_id", "day") DO UPDATE SET "order_count" = t."order_count" + EXCLUDED."order_count", "gross_cents" = t."gross_cents" + EXCLUDED."gross_cents", "refund_cents" = t."refund_cents" + EXCLUDED."refund_cents"
        """
}
