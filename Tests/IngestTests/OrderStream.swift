import Foundation
import IngestTestKit

/// orders-analytics facts for the in-memory source, with what exactly-once must make of them: one
/// order placed per order id (producer retries re-publish an order under a new message id), poison
/// facts quarantined, and a type no table consumes.
struct OrderStream {
    var expectedApplied: Set<UInt64> = []
    var expectedQuarantined: Set<UInt64> = []
    /// Sequence → order id, for refusing facts by content.
    var orderIDs: [UInt64: String] = [:]
    var last: UInt64 = 0

    init(orders: Int, from firstOrder: Int = 0, into source: InMemoryMessageSource) {
        for i in firstOrder..<(firstOrder + orders) {
            let tenant = ["t1", "t2", "t3"][i % 3]
            let placed = Self.event(tenant: tenant, type: "orders.order_placed.v1", id: "placed-\(i)", data: [
                "order_id": "o-\(i)", "customer_id": "c-\(i % 7)", "amount_cents": 100 + i, "currency": "EUR",
                "placed_at": String(format: "2026-03-%02dT10:00:00Z", 1 + i % 28),
            ])
            let sequence = source.append(subject: "facts.\(tenant).orders.order_placed.v1", data: placed)!
            expectedApplied.insert(sequence)
            orderIDs[sequence] = "o-\(i)"
            if i % 6 == 2 {
                // A producer's retry past the duplicate window: same idempotency key, applied once.
                let retry = source.append(subject: "facts.\(tenant).orders.order_placed.v1", data: placed)!
                orderIDs[retry] = "o-\(i)"
            }
            if i % 9 == 4 {
                expectedQuarantined.insert(source.append(subject: "facts.\(tenant).orders.order_placed.v1", data: Array("{not json".utf8))!)
            }
            if i % 11 == 5 {
                // No table consumes it: acked with its batch, neither applied nor quarantined.
                source.append(subject: "facts.\(tenant).orders.order_shipped.v1",
                              data: Self.event(tenant: tenant, type: "orders.order_shipped.v1", id: "shipped-\(i)", data: ["order_id": "o-\(i)"]))
            }
        }
        last = source.lastSequence
    }

    static func event(tenant: String, type: String, id: String, data: [String: Any]) -> [UInt8] {
        let envelope: [String: Any] = ["specversion": "1.0", "id": id, "source": "/tests", "type": type, "tenantid": tenant,
                                       "time": "2026-03-01T00:00:00Z", "datacontenttype": "application/json", "data": data]
        return Array(try! JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys]))
    }
}
