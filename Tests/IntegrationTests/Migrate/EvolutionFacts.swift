import Foundation

/// The facts of the evolution tests, in phases (one per projection version), and the rows every table must
/// hold once they are applied, computed from the facts without mapping code. Values a fact lacks are `nil`
/// (NULL in a nullable column, the zero default in a non-null one). Phase 1 facts carry only v1 fields, so a
/// table rebuilt from sequence 1 under a later version holds the same rows as one migrated in place.
struct EvolutionFacts {
    struct Viewed {
        var id: String
        var tenant: String
        var item: String
        var millis: Int64
        var referrer: String?
        var session: String?
        var position: Int?
    }

    struct Purchased {
        var id: String
        var tenant: String
        var item: String
        var millis: Int64
        var amountCents: Int64
    }

    /// One phase's facts, published as one batch.
    struct Phase {
        var viewed: [Viewed] = []
        var purchased: [Purchased] = []
    }

    /// The sentinel the store readers print for NULL.
    static let null = "<null>"

    let subject: String
    let phases: [Phase]

    /// Phase `p` (1-based) is what projection version `p` ingests; phases 2 on feed the parts v2 adds.
    init(subject: String, viewedPerPhase: [Int] = [40, 40, 20, 20], purchasedPerPhase: [Int] = [0, 20, 10, 10]) {
        self.subject = subject
        let base: Int64 = 1_788_000_000_000 // 2026-08-29T12:00:00Z, within every TTL
        var phases: [Phase] = []
        var n = 0
        for (index, (views, purchases)) in zip(viewedPerPhase, purchasedPerPhase).enumerated() {
            var phase = Phase()
            for _ in 0..<views {
                n += 1
                let later = index > 0
                phase.viewed.append(Viewed(
                    id: "v\(n)", tenant: n % 3 == 0 ? "t2" : "t1", item: "i\(n % 5)", millis: base + Int64(n) * 61_000,
                    referrer: n % 2 == 0 ? "ref-\(n % 4)" : nil,
                    session: later && n % 3 != 1 ? "s-\(n % 7)" : nil,
                    position: later && n % 4 != 1 ? n % 9 + 1 : nil))
            }
            for _ in 0..<purchases {
                n += 1
                phase.purchased.append(Purchased(
                    id: "p\(n)", tenant: n % 3 == 0 ? "t2" : "t1", item: "i\(n % 6)", millis: base + Int64(n) * 61_000,
                    amountCents: Int64(100 + n * 7)))
            }
            phases.append(phase)
        }
        self.phases = phases
    }

    /// The messages of phase `p`, as a producer publishes them (CloudEvents JSON, `Nats-Msg-Id` = the event id).
    func messages(phase p: Int) -> [FactCorpus.Message] {
        let phase = phases[p - 1]
        func message(_ id: String, _ type: String, _ tenant: String, _ millis: Int64, _ data: [String: Any]) -> FactCorpus.Message {
            let envelope: [String: Any] = ["specversion": "1.0", "id": id, "source": "/evolution", "type": type, "tenantid": tenant,
                                           "time": Self.rfc3339(millis), "datacontenttype": "application/json", "data": data]
            let body = try! JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys])
            return FactCorpus.Message(subject: "\(subject).\(tenant).\(type)", body: Array(body), messageID: id)
        }
        let views = phase.viewed.map { view -> FactCorpus.Message in
            var data: [String: Any] = ["view_id": view.id, "item_id": view.item]
            if let referrer = view.referrer { data["referrer"] = referrer }
            if let session = view.session { data["session_id"] = session }
            if let position = view.position { data["position"] = position }
            return message(view.id, "evo.item_viewed.v1", view.tenant, view.millis, data)
        }
        let purchases = phase.purchased.map {
            message($0.id, "evo.item_purchased.v1", $0.tenant, $0.millis, ["purchase_id": $0.id, "item_id": $0.item, "amount_cents": $0.amountCents])
        }
        // Interleaved (two views, one purchase), as a live stream would mix them.
        var messages: [FactCorpus.Message] = []
        var rest = purchases[...]
        for (index, view) in views.enumerated() {
            messages.append(view)
            if index % 2 == 1, let next = rest.popFirst() { messages.append(next) }
        }
        return messages + rest
    }

    /// Messages in phases 1...p.
    func messageCount(through p: Int) -> Int {
        phases.prefix(p).reduce(0) { $0 + $1.viewed.count + $1.purchased.count }
    }

    // MARK: - Expected rows (text, as `EvolutionStore` reads them)

    /// `views` after phases 1...p, with the columns of projection version `version`, sorted.
    func views(through p: Int, version: Int) -> [[String]] {
        phases.prefix(p).flatMap(\.viewed).map { v in
            var row = [v.tenant, v.id, String(v.millis), v.item]
            if version < 4 { row.append(v.referrer ?? Self.null) }
            if version >= 2 { row += [v.session ?? Self.null, String(v.position ?? 0)] }
            return row
        }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `item_totals` after phases 1...p: (tenant, item, views[, purchases, revenue_cents]), sorted. From v4 on,
    /// revenue_cents is the largest amount (NULL without purchases) instead of the sum.
    func itemTotals(through p: Int, version: Int) -> [[String]] {
        var totals: [[String]: (views: Int64, purchases: Int64, sum: Int64, max: Int64?)] = [:]
        for v in phases.prefix(p).flatMap(\.viewed) { totals[[v.tenant, v.item], default: (0, 0, 0, nil)].views += 1 }
        for b in phases.prefix(p).flatMap(\.purchased) {
            totals[[b.tenant, b.item], default: (0, 0, 0, nil)].purchases += 1
            totals[[b.tenant, b.item], default: (0, 0, 0, nil)].sum += b.amountCents
            totals[[b.tenant, b.item], default: (0, 0, 0, nil)].max = max(totals[[b.tenant, b.item]]?.max ?? .min, b.amountCents)
        }
        return totals.map { key, t -> [String] in
            guard version >= 2 else { return key + [String(t.views)] }
            let revenue = version >= 4 ? t.max.map(String.init) ?? Self.null : String(t.sum)
            return key + [String(t.views), String(t.purchases), revenue]
        }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `purchases` after phases 1...p: (tenant, purchase id, item, amount, ms), sorted.
    func purchases(through p: Int) -> [[String]] {
        phases.prefix(p).flatMap(\.purchased).map { [$0.tenant, $0.id, $0.item, String($0.amountCents), String($0.millis)] }
            .sorted { $0.lexicographicallyPrecedes($1) }
    }

    static func rfc3339(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
