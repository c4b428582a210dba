import Foundation

/// Expected values of the columns the orders-analytics v2 fixture adds, computed from the corpus
/// without mapping code.
extension FactCorpus {
    /// tenant → refund day → refunds (valid refund facts: those with a refund id; none is duplicated).
    var refundCounts: [String: [String: Int64]] {
        var result: [String: [String: Int64]] = [:]
        for message in messages {
            guard let envelope = try? JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any],
                  envelope["type"] as? String == "orders.order_refunded.v1", let tenant = envelope["tenantid"] as? String,
                  let data = envelope["data"] as? [String: Any], data["refund_id"] is String,
                  let refundedAt = data["refunded_at"] as? String else { continue }
            result[tenant, default: [:]][String(refundedAt.prefix(10)), default: 0] += 1
        }
        return result
    }

    /// tenant → order id → the UTC day it was placed.
    var placedDays: [String: [String: String]] {
        orders.mapValues { $0.mapValues { String($0.placedAt.prefix(10)) } }
    }
}
