import Columnstore
import Foundation
import JetStream

/// Skipping needs a durable audit log beside the stream: the JetStream source's key-value store.
extension IngestPipeline: QuarantineSkipping where Source == JetStreamSource {
    /// The JetStream key-value bucket holding skip audit records (no expiry; file storage).
    static var auditBucket: String { "projection_audit" }

    func skip(partition: Int?, consumer: String?, sequences: [UInt64], note: String) async throws -> [SkippedFact] {
        let projection = configuration.consumer.projection
        let consumers = try quarantineConsumers(consumer, partition: partition, listing: false)
        let partition = partition ?? configuration.consumer.partition
        let facts = try await quarantinedEntries(at: sequences, partition: partition, consumers: consumers, tenant: nil)
        let bucket = try await source.keyValueBucket(name: Self.auditBucket)
        let now = ISO8601DateFormatter().string(from: Date())
        var skipped: [SkippedFact] = []
        for fact in facts {
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
            skipped.append(record)
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
        for key in try await bucket.keys(prefix: prefix) {
            guard records.count < limit else { break }
            if let entry = try await bucket.get(key), let record = try? JSONCoding.decode(SkippedFact.self, from: Data(entry.value)) {
                records.append(record)
            }
        }
        return records
    }
}
