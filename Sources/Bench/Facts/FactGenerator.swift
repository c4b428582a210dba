/// The deterministic benchmark corpus: fact `i` depends only on (seed, i), so `publish` and
/// `raw-insert` produce the same facts independently. Every fifth fact refunds half of the order
/// placed just before it; orders spread pseudo-randomly over the tenants and over March 2026.
struct FactGenerator: Sendable {
    let tenants: [String]
    let seed: UInt64

    static let marchFirst2026 = RFC3339Text.days(year: 2026, month: 3, day: 1)
    static let currencies = ["EUR", "USD", "GBP"]

    init(tenantCount: Int, seed: UInt64 = 7) {
        tenants = (1...max(1, tenantCount)).map { "t\($0)" }
        self.seed = seed
    }

    func fact(at index: Int) -> BenchFact {
        if index % 5 == 4 {
            let order = placed(index - 1)
            return BenchFact(
                kind: .refunded, tenant: order.tenant, factID: "refund-\(index - 1)", orderID: order.orderID,
                refundID: "r-\(index - 1)", customerID: "", amountCents: order.amountCents / 2, currency: "",
                atMillis: (order.atMillis / 86_400_000 + 1) * 86_400_000 + 12 * 3_600_000)
        }
        return placed(index)
    }

    private func placed(_ index: Int) -> BenchFact {
        var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
        let day = Self.marchFirst2026 + Int64(rng.next() % 28)
        let secondOfDay = Int64(rng.next() % 86_400)
        return BenchFact(
            kind: .placed, tenant: tenants[Int(rng.next() % UInt64(tenants.count))], factID: "placed-\(index)", orderID: "o-\(index)",
            refundID: "", customerID: "c-\(rng.next() % 500)", amountCents: Int64(100 + rng.next() % 100_000),
            currency: Self.currencies[Int(rng.next() % 3)], atMillis: (day * 86_400 + secondOfDay) * 1000)
    }
}

/// A small deterministic PRNG (SplitMix64), reproducible across runs and machines.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
