import Columnstore
import Foundation
import JetStream

extension IngestPipeline: IngestAdministration {
    /// Returns once no pull is outstanding and what was held is written (or the drain timeout passed),
    /// so nothing published after it returns is consumed until `resume()`, and the store is quiet.
    @discardableResult
    public func pause() async -> Bool {
        paused = true
        status.update { $0.paused = true }
        let idle = await waitUntilIdle()
        logger.notice("paused: no more fetches; what is held is written, then ingest idles", metadata: ["idle": "\(idle)"])
        return idle
    }

    /// Paused and idle only: forgets what it holds (nothing is acked), reads the checkpoint from the store
    /// again and re-creates the consumer right after it. Used after a cutover moved the checkpoint.
    public func reload() async throws {
        guard paused else { throw AdminError(code: .conflict, detail: "pause first: reload needs a paused, idle ingest") }
        guard await waitUntilIdle() else { throw AdminError(code: .conflict, detail: "a batch is still being written; try again") }
        guard await requestReload() else { throw AdminError(code: .conflict, detail: "the pipeline stopped before it reloaded") }
        logger.notice("reloaded the checkpoint from the store", metadata: ["checkpoint": "\(status.snapshot.checkpoint)"])
    }

    public func resume() {
        paused = false
        status.update { $0.paused = false }
        logger.notice("resumed")
    }

    public func quarantined(partition: Int?, consumer: String?, tenant: String?, afterSequence: UInt64, limit: Int) async throws -> [QuarantinedFact] {
        let consumers = try quarantineConsumers(consumer, partition: partition, listing: true)
        let partition = partition ?? configuration.consumer.partition
        let projection = configuration.consumer.projection
        // Pages continue after a sequence: the key just above every entry at that sequence in `partition`
        // (keys order by sequence, then partition, then consumer).
        var page = try await store.quarantined(projection: projection, consumers: consumers, partition: partition, tenant: tenant,
                                               after: QuarantineKey(partition: partition + 1, sequence: afterSequence), limit: limit)
        // So a full page ends with every entry of its last sequence (other durables' at it, or one recorded
        // before entries named their consumer): the next page starts after that sequence and misses none.
        while QuarantinePageBudget.isFull(page, limit: limit), let last = page.last {
            let more = try await store.quarantined(projection: projection, consumers: consumers, partition: partition, tenant: tenant,
                                                   after: last.key, limit: 16)
            let same = more.prefix { $0.sequence == last.sequence }
            page += same
            if same.count < more.count || !QuarantinePageBudget.isFull(more, limit: 16) { break }
        }
        return page
    }

    /// Whose quarantine entries an admin request addresses. By default this ingest's durable's and those
    /// naming none (recorded before internal tables version 6); a request naming a durable (the empty name
    /// for entries naming none) gets exactly that one's, so the console acts on the very entry it shows.
    /// Never several durables at once for a re-drive or skip: another durable writing the same tables from
    /// another stream numbers its facts in another sequence space, so a sequence alone would name entries
    /// of both. Another partition's entries were recorded by another ingest's durable, which this one
    /// cannot guess: a listing shows every durable's (nil: each entry names its own), and a re-drive or
    /// skip must name the durable.
    func quarantineConsumers(_ requested: String?, partition: Int?, listing: Bool) throws -> Set<String>? {
        if let requested { return [requested] }
        guard let partition, partition != configuration.consumer.partition else { return [configuration.consumer.consumer, ""] }
        guard listing else {
            throw AdminError(code: .invalidArgument, detail: "consumer: partition \(partition) is another ingest's; name the durable whose entries these are (each listed entry shows it)")
        }
        return nil
    }

    /// Visits the addressed entries at `sequences` (every one at each: an entry naming no durable may share
    /// a sequence with this durable's), a page at a time, until past the highest sequence: only one page's
    /// messages are held at once (`QuarantinePageBudget`), however large the entries.
    func forEachQuarantinedEntry(at sequences: [UInt64], partition: Int, consumers: Set<String>?, tenant: String?,
                                 _ body: (QuarantinedFact) async throws -> Void) async throws {
        let wanted = Set(sequences)
        guard let highest = wanted.max() else { return }
        var after: QuarantineKey?
        while true {
            let page = try await store.quarantined(projection: configuration.consumer.projection, consumers: consumers, partition: partition,
                                                   tenant: tenant, after: after, limit: 1000)
            for fact in page where wanted.contains(fact.sequence) { try await body(fact) }
            guard let last = page.last, last.sequence <= highest, QuarantinePageBudget.isFull(page, limit: 1000) else { return }
            after = last.key
        }
    }

    /// The re-drive's message id: deterministic, so a repeated re-drive within the stream's duplicate
    /// window is stored once. Entries of equal sequence are different facts when their partitions or
    /// durables differ, so those are in the id (this durable's own entries keep the plain form).
    func redriveMessageID(_ fact: QuarantinedFact) -> String {
        let consumer = fact.consumer == configuration.consumer.consumer ? "" : fact.consumer.isEmpty ? ":n" : ":c\(fact.consumer)"
        return "redrive:\(configuration.consumer.projection):\(fact.sequence)" + (fact.partition == 0 ? "" : ":p\(fact.partition)") + consumer
    }

    public func redrive(partition: Int?, consumer: String?, sequences: [UInt64]?, tenant: String?, limit: Int) async throws -> [RedrivenFact] {
        let projection = configuration.consumer.projection
        let consumers = try quarantineConsumers(consumer, partition: partition, listing: false)
        // Sequences are unique only within one partition's stream: a re-drive never spans partitions.
        let partition = partition ?? configuration.consumer.partition
        var redriven: [RedrivenFact] = []
        if let sequences {
            try await forEachQuarantinedEntry(at: sequences, partition: partition, consumers: consumers, tenant: tenant) { fact in
                redriven.append(try await redriveOne(fact, earlier: redriven))
            }
        } else {
            // One page (`limit` entries, or fewer within the byte budget); the caller asks again for more.
            for fact in try await store.quarantined(projection: projection, consumers: consumers, partition: partition,
                                                    tenant: tenant, after: nil, limit: limit) {
                redriven.append(try await redriveOne(fact, earlier: redriven))
            }
        }
        return redriven
    }

    /// Publishes one entry's fact again and removes the entry; `earlier` (this request's) names what was
    /// re-driven before it when it cannot be.
    private func redriveOne(_ fact: QuarantinedFact, earlier: [RedrivenFact]) async throws -> RedrivenFact {
        let projection = configuration.consumer.projection
        var headers = JSONCoding.headers(from: fact.headersJSON)
        // JetStream's own headers belong to the first publish; the message id below replaces them.
        headers = headers.filter { !$0.key.lowercased().hasPrefix("nats-") }
        headers["projection-redriven-from"] = String(fact.sequence)
        if fact.partition != 0 { headers["projection-redriven-from-partition"] = String(fact.partition) }
        // Beyond the duplicate window the fact's idempotency key protects it.
        let messageID = redriveMessageID(fact)
        let newSequence: UInt64
        do {
            newSequence = try await source.publish(subject: fact.subject, data: fact.raw, headers: headers, messageID: messageID)
        } catch let error as NATSError where error.jetStreamErrorCode == 10060 {
            // Another stream captures the subject now: nothing was stored, and the entry stays.
            let list = earlier.map { "\($0.sequence) as \($0.newSequence)" }.joined(separator: ", ")
            throw AdminError(code: .conflict, detail: """
                sequence \(fact.sequence) (partition \(fact.partition)): its subject \(AdminRoutes.printable(fact.subject)) is not \
                in this ingest's stream \(configuration.stream), so it was not re-driven and stays quarantined\
                \(earlier.isEmpty ? "" : "; re-driven before it: \(list)")
                """)
        }
        try await store.removeQuarantined(projection: projection, keys: [fact.key])
        logger.notice("re-drove a quarantined fact", metadata: [
            "partition": "\(fact.partition)", "sequence": "\(fact.sequence)", "new_sequence": "\(newSequence)", "tenant": "\(fact.tenant)",
        ])
        return RedrivenFact(partition: fact.partition, sequence: fact.sequence, newSequence: newSequence, consumer: fact.consumer)
    }
}
