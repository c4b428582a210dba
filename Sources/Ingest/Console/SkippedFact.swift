import Foundation

/// The audit record of a quarantined fact an operator skipped: the whole entry (raw body and headers,
/// so it can still be recovered by hand), when it was skipped and the operator's note.
struct SkippedFact: Sendable, Codable, Equatable {
    var projection: String
    /// The durable consumer of the ingest that skipped it: two deployments of one projection (two
    /// stores) on one NATS keep their records apart.
    var consumer: String
    var partition: Int
    var sequence: UInt64
    var subject: String
    var factID: String
    var factType: String
    var tenant: String
    var reason: String
    var rawBase64: String
    var headersJSON: String
    var skippedAt: String
    var note: String
    /// The durable that recorded the entry (empty: an entry from before internal tables version 6), when
    /// it is not `consumer`; nil in records written before the field existed.
    var entryConsumer: String?

    enum CodingKeys: String, CodingKey {
        case projection, consumer, partition, sequence, subject, tenant, reason, note
        case factID = "fact_id"
        case factType = "fact_type"
        case rawBase64 = "raw_base64"
        case headersJSON = "headers_json"
        case skippedAt = "skipped_at"
        case entryConsumer = "entry_consumer"
    }

    /// The audit bucket's key: one per (projection, consumer, partition, sequence, entry), in the key
    /// alphabet NATS allows. `entryConsumer` is nil for an entry of the skipping ingest's own durable;
    /// otherwise it is the durable whose entry it was (`.c<name>`), or empty for an entry that names
    /// none, from before internal tables version 6 (`.n`).
    static func key(projection: String, consumer: String, partition: Int, sequence: UInt64, entryConsumer: String? = nil) -> String {
        let entry = entryConsumer.map { $0.isEmpty ? ".n" : ".c\(safe($0))" } ?? ""
        return "\(keyPrefix(projection: projection, consumer: consumer))p\(partition).s\(sequence)" + entry
    }

    static func keyPrefix(projection: String, consumer: String) -> String {
        "skip.\(safe(projection)).\(safe(consumer))."
    }

    private static func safe(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return (c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-")) ? c : "_"
        })
    }
}
