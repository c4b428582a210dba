/// One orders-analytics fact of the benchmark corpus, with the values its rows are made of.
struct BenchFact: Sendable {
    enum Kind: Sendable { case placed, refunded }

    var kind: Kind
    var tenant: String
    /// CloudEvent `id`, also sent as `Nats-Msg-Id`.
    var factID: String
    var orderID: String
    /// `refund_id` of a refund; empty for an order.
    var refundID: String
    var customerID: String
    var amountCents: Int64
    var currency: String
    /// `placed_at` or `refunded_at`, in milliseconds since 1970 (UTC, whole seconds).
    var atMillis: Int64

    var factType: String { kind == .placed ? "orders.order_placed.v1" : "orders.order_refunded.v1" }

    /// Days since 1970-01-01 of `atMillis` (the `daily_sales.day` the fact counts towards).
    var day: Int32 { Int32(atMillis / 86_400_000) }

    /// CloudEvents 1.0 structured-mode JSON, as producers send it. All values are plain ASCII
    /// identifiers and numbers, so no escaping is needed.
    var body: [UInt8] {
        let at = RFC3339Text.format(millis: atMillis)
        let data: String
        switch kind {
        case .placed:
            data = #"{"order_id":"\#(orderID)","customer_id":"\#(customerID)","amount_cents":\#(amountCents),"currency":"\#(currency)","placed_at":"\#(at)"}"#
        case .refunded:
            data = #"{"refund_id":"\#(refundID)","order_id":"\#(orderID)","amount_cents":\#(amountCents),"refunded_at":"\#(at)"}"#
        }
        let envelope = #"{"specversion":"1.0","id":"\#(factID)","source":"/bench","type":"\#(factType)","time":"\#(at)","datacontenttype":"application/json","tenantid":"\#(tenant)","data":\#(data)}"#
        return Array(envelope.utf8)
    }
}
