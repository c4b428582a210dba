/// How much raw message one page of quarantine entries carries. An entry keeps its whole message (up to
/// NATS's `max_payload`), so a page of 1,000 could be gigabytes: a store answers entries in key order
/// while the raw bytes before each are under `rawBytes` (at least one entry, so every page moves on), and
/// a caller treats a page that reached it as full, as it does one of `limit` entries.
public enum QuarantinePageBudget {
    /// Raw bytes of the entries before the last one of a page (8 MiB; the last may add one message).
    public static let rawBytes = 8 << 20

    /// The entries a page holds, from candidates in key order.
    public static func cut(_ entries: [QuarantinedFact]) -> [QuarantinedFact] {
        var before = 0
        var count = 0
        for entry in entries {
            guard before < rawBytes else { break }
            before += entry.raw.count
            count += 1
        }
        return Array(entries.prefix(count))
    }

    /// Whether more entries may follow `page`, asked for with `limit`.
    public static func isFull(_ page: [QuarantinedFact], limit: Int) -> Bool {
        page.count >= limit || page.reduce(0) { $0 + $1.raw.count } >= rawBytes
    }
}
