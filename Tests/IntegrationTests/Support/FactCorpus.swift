import Foundation
import IngestTestKit

/// A deterministic set of orders-analytics facts across tenants, with producer duplicates and poison
/// facts, plus the totals computed independently of the product (plain dictionaries, no mapping code).
struct FactCorpus {
    struct Message {
        var subject: String
        var body: [UInt8]
        var headers: [String: String] = [:]
        var messageID: String
    }

    struct DayTotals: Hashable {
        var orderCount: Int64 = 0
        var grossCents: Int64 = 0
        var refundCents: Int64 = 0
    }

    struct Order: Hashable {
        var customerID: String
        var amountCents: Int64
        var currency: String
        var placedAt: String
    }

    var messages: [Message] = []
    /// (tenant, day "YYYY-MM-DD") → totals.
    var daily: [String: [String: DayTotals]] = [:]
    /// (tenant, order id) → the order.
    var orders: [String: [String: Order]] = [:]
    var poisonCount = 0
    var duplicateCount = 0

    /// - Parameters:
    ///   - orders: distinct orders placed; about a fifth get a refund, one in 25 is re-published under a
    ///     new message id (a producer duplicate), one in 50 messages is poison.
    init(subjectPrefix: String, tenants: [String] = ["t1", "t2", "t3"], orders count: Int, seed: UInt64 = 42) {
        var rng = SplitMix64(seed: seed)
        let currencies = ["EUR", "USD", "GBP"]
        for i in 0..<count {
            let tenant = tenants[i % tenants.count]
            let orderID = "o-\(i)"
            let day = 1 + Int(rng.next() % 28)
            let hour = Int(rng.next() % 24)
            let placedAt = String(format: "2026-03-%02dT%02d:%02d:00Z", day, hour, Int(rng.next() % 60))
            let amount = Int64(100 + rng.next() % 100_000)
            let customer = "c-\(rng.next() % 200)"
            let currency = currencies[Int(rng.next() % 3)]
            let data: [String: Any] = ["order_id": orderID, "customer_id": customer, "amount_cents": amount, "currency": currency, "placed_at": placedAt]
            append(tenant: tenant, type: "orders.order_placed.v1", id: "placed-\(i)", data: data)
            let dayKey = String(placedAt.prefix(10))
            daily[tenant, default: [:]][dayKey, default: DayTotals()].orderCount += 1
            daily[tenant, default: [:]][dayKey, default: DayTotals()].grossCents += amount
            self.orders[tenant, default: [:]][orderID] = Order(customerID: customer, amountCents: amount, currency: currency, placedAt: placedAt)
            if i % 25 == 7 {
                // Same order, same idempotency key, a new message id: must count once.
                append(tenant: tenant, type: "orders.order_placed.v1", id: "placed-\(i)-retry", data: data)
                duplicateCount += 1
            }
            if i % 5 == 3 {
                let refund = amount / 2
                let refundedAt = String(format: "2026-04-%02dT%02d:00:00Z", 1 + Int(rng.next() % 28), Int(rng.next() % 24))
                append(tenant: tenant, type: "orders.order_refunded.v1", id: "refund-\(i)",
                       data: ["refund_id": "r-\(i)", "order_id": orderID, "amount_cents": refund, "refunded_at": refundedAt])
                daily[tenant, default: [:]][String(refundedAt.prefix(10)), default: DayTotals()].refundCents += refund
            }
            if i % 50 == 11 {
                poison(i, tenant: tenant, prefix: subjectPrefix)
            }
            if i % 100 == 13 {
                // A type no table consumes: acked and counted, not an error.
                append(tenant: tenant, type: "orders.order_shipped.v1", id: "shipped-\(i)", data: ["order_id": orderID])
            }
        }
        messages = messages.map { var m = $0; m.subject = "\(subjectPrefix).\(m.subject)"; return m }
    }

    private mutating func append(tenant: String, type: String, id: String, data: [String: Any]) {
        let envelope: [String: Any] = ["specversion": "1.0", "id": id, "source": "/tests", "type": type, "tenantid": tenant,
                                       "time": "2026-03-01T00:00:00Z", "datacontenttype": "application/json", "data": data]
        let body = try! JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys])
        messages.append(Message(subject: "\(tenant).\(type)", body: Array(body), messageID: id))
    }

    mutating func poison(_ i: Int, tenant: String, prefix: String) {
        poisonCount += 1
        switch i % 4 {
        case 0:
            messages.append(Message(subject: "\(tenant).orders.order_placed.v1", body: Array("{not json".utf8), messageID: "poison-\(i)"))
        case 1:
            append(tenant: tenant, type: "orders.order_placed.v1", id: "poison-\(i)",
                   data: ["order_id": "bad-\(i)", "customer_id": "c", "amount_cents": "abc", "currency": "EUR", "placed_at": "2026-03-01T00:00:00Z"])
        case 2:
            append(tenant: tenant, type: "orders.order_refunded.v1", id: "poison-\(i)", data: ["order_id": "o-1", "amount_cents": 5, "refunded_at": "2026-03-01T00:00:00Z"])
        default:
            let body = #"{"specversion":"1.0","source":"/tests","type":"orders.order_placed.v1","data":{}}"#
            messages.append(Message(subject: "\(tenant).orders.order_placed.v1", body: Array(body.utf8), messageID: "poison-\(i)"))
        }
    }

    var totalOrderCount: Int64 { daily.values.flatMap(\.values).reduce(0) { $0 + $1.orderCount } }
    var totalGross: Int64 { daily.values.flatMap(\.values).reduce(0) { $0 + $1.grossCents } }
    var totalRefunds: Int64 { daily.values.flatMap(\.values).reduce(0) { $0 + $1.refundCents } }
}
