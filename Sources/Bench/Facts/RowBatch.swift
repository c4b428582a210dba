/// The table rows a batch of facts turns into, built the way the ingest builds them: one `orders`
/// row per placed order (version = stream sequence), `daily_sales` pre-aggregated per (tenant, day).
struct RowBatch {
    struct Order {
        var tenant: String
        var orderID: String
        var customerID: String
        var amountCents: Int64
        var currency: String
        var placedAtMillis: Int64
        var version: UInt64
    }

    struct DayKey: Hashable {
        var tenant: String
        var day: Int32
    }

    struct DayTotals {
        var orderCount: Int64 = 0
        var grossCents: Int64 = 0
        var refundCents: Int64 = 0
    }

    var orders: [Order] = []
    var daily: [DayKey: DayTotals] = [:]

    /// - Parameter firstSequence: the stream sequence fact `range.lowerBound` has.
    init(generator: FactGenerator, range: Range<Int>, firstSequence: UInt64) {
        orders.reserveCapacity(range.count)
        for i in range {
            let fact = generator.fact(at: i)
            let key = DayKey(tenant: fact.tenant, day: fact.day)
            switch fact.kind {
            case .placed:
                orders.append(Order(
                    tenant: fact.tenant, orderID: fact.orderID, customerID: fact.customerID, amountCents: fact.amountCents,
                    currency: fact.currency, placedAtMillis: fact.atMillis, version: firstSequence + UInt64(i - range.lowerBound)))
                daily[key, default: DayTotals()].orderCount += 1
                daily[key, default: DayTotals()].grossCents += fact.amountCents
            case .refunded:
                daily[key, default: DayTotals()].refundCents += fact.amountCents
            }
        }
    }
}
