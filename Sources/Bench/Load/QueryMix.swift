/// The orders-analytics queries the load test sends, spread over the corpus's tenants and orders.
struct QueryMix: Sendable {
    static let methods = ["GetDailySales", "GetTopCustomers", "GetOrder"]

    let generator: FactGenerator
    let facts: Int

    /// The `index`-th request of `method`; deterministic, so API and direct runs send the same requests.
    func request(_ method: String, index: Int) -> QueryRequest {
        var rng = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ 1)
        switch method {
        case "GetDailySales":
            let tenant = generator.tenants[index % generator.tenants.count]
            return QueryRequest(method: method, tenant: tenant, fields: [("from_day", .string("2026-03-01")), ("to_day", .string("2026-03-31"))])
        case "GetTopCustomers":
            let tenant = generator.tenants[index % generator.tenants.count]
            return QueryRequest(method: method, tenant: tenant, fields: [
                ("from_day", .string("2026-03-01")), ("to_day", .string("2026-03-31")), ("limit", .int(10)),
            ])
        default:
            // A placed order (every fifth fact is a refund) of the tenant it belongs to.
            var order = Int(rng.next() % UInt64(max(facts, 1)))
            if order % 5 == 4 { order -= 1 }
            let fact = generator.fact(at: order)
            return QueryRequest(method: method, tenant: fact.tenant, fields: [("order_id", .string(fact.orderID))])
        }
    }
}
