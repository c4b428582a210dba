/// Totals of the first `count` facts, computed from the generator alone, for the orchestrator to
/// compare with what the store holds after a run.
struct ExpectedTotals {
    var orders: Int64 = 0
    var grossCents: Int64 = 0
    var refundCents: Int64 = 0
    var bodyBytes: Int = 0

    init(generator: FactGenerator, count: Int) {
        for i in 0..<count {
            let fact = generator.fact(at: i)
            switch fact.kind {
            case .placed:
                orders += 1
                grossCents += fact.amountCents
            case .refunded:
                refundCents += fact.amountCents
            }
        }
    }

    var json: [String: Any] { ["orders": orders, "gross_cents": grossCents, "refund_cents": refundCents] }
}
