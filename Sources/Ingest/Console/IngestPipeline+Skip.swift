import Columnstore
import Foundation
import JetStream

/// Skipping needs a durable audit log beside the stream: the JetStream source's key-value store.
extension IngestPipeline: QuarantineSkipping where Source == JetStreamSource {
    /// The JetStream key-value bucket holding skip audit records (no expiry; file storage).
    static var auditBucket: String { "projection_audit" }

    func skip(partition: Int?, consumer: String?, sequences: [UInt64], note: String) async throws -> [SkippedKey] {
        let projection = configuration.consumer.projection
        let consumers = try quarantineConsumers(consumer, partition: partition, listing: false)
        let partition = partition ?? configuration.consumer.partition
        let bucket = try await source.keyValueBucket(name: Self.auditBucket)
        let now = ISO8601DateFormatter().string(from: Date())
        var skipped: [SkippedKey] = []
        try await forEachQuarantinedEntry(at: sequences, partition: partition, consumers: consumers, tenant: nil) { fact in
            let record = SkippedFact(
                projection: projection, consumer: configuration.consumer.consumer, partition: fact.partition, sequence: fact.sequence, subject: fact.subject, factID: fact.factID,
                factType: fact.factType, tenant: fact.tenant, reason: fact.reason, rawBase64: Data(fact.raw).base64EncodedString(),
                headersJSON: fact.headersJSON, skippedAt: now, note: note, entryConsumer: fact.consumer)
            // The audit record first: a failure leaves the fact quarantined, never dropped without a trace.
            // An entry of another durable, or of none, gets a key of its own beside this durable's entry at
            // the same sequence.
            let key = SkippedFact.key(projection: projection, consumer: configuration.consumer.consumer, partition: fact.partition,
                                      sequence: fact.sequence, entryConsumer: fact.consumer == configuration.consumer.consumer ? nil : fact.consumer)
            _ = try await bucket.put(key, value: Array(try JSONCoding.encode(record)))
            try await store.removeQuarantined(projection: projection, keys: [fact.key])
            skipped.append(SkippedKey(partition: fact.partition, sequence: fact.sequence, consumer: fact.consumer))
            logger.notice("skipped a quarantined fact; its audit record is in the key-value bucket \(Self.auditBucket)", metadata: [
                "partition": "\(fact.partition)", "sequence": "\(fact.sequence)", "tenant": "\(fact.tenant)", "type": "\(fact.factType)",
            ])
        }
        return skipped
    }

    func skippedFacts(limit: Int) async throws -> [SkippedFact] {
        let bucket = try await source.keyValueBucket(name: Self.auditBucket)
        let prefix = SkippedFact.keyPrefix(projection: configuration.consumer.projection, consumer: configuration.consumer.consumer)
        var records: [SkippedFact] = []
        // Each record holds its whole message: the answer stops at the quarantine pages' byte budget too.
        var bytes = 0
        for key in try await bucket.keys(prefix: prefix) {
            guard records.count < limit, bytes < QuarantinePageBudget.rawBytes else { break }
            if let entry = try await bucket.get(key), let record = try? JSONCoding.decode(SkippedFact.self, from: Data(entry.value)) {
                records.append(record)
                bytes += entry.value.count
            }
        }
        return records
    }
}
