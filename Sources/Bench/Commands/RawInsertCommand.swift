import ArgumentParser
import ClickHouseHTTP
import Columnstore
import LibPQ

/// The store-side raw limit: the same rows the ingest would write, inserted straight into the
/// store with no NATS, no idempotency keys and no checkpoint. ClickHouse: one RowBinary INSERT per
/// table per batch. Postgres: one transaction per batch with the store's
/// `INSERT … SELECT FROM unnest(…) ON CONFLICT …` statements.
struct RawInsertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "raw-insert", abstract: "Bare batched insert of the corpus's rows into a migrated store.")

    @OptionGroup var target: StoreTarget
    @OptionGroup var corpus: CorpusOptions

    @Option(help: "Facts per batch (the ingest's PROJECTION_BATCH_MAX_FACTS).")
    var batch: Int = 5_000

    func run() async throws {
        let generator = corpus.generator
        var progress = ProgressLine(label: "raw-insert \(target.store)", total: corpus.facts)
        var buildSeconds = 0.0
        let start = ContinuousClock.now
        let writer = try await RowWriter.open(target)
        defer { writer.close() }
        var done = 0
        while done < corpus.facts {
            let range = done..<min(done + batch, corpus.facts)
            let buildStart = ContinuousClock.now
            let rows = RowBatch(generator: generator, range: range, firstSequence: UInt64(done + 1))
            buildSeconds += (ContinuousClock.now - buildStart).seconds
            try await writer.write(rows)
            done = range.upperBound
            progress.update(done)
        }
        let seconds = (ContinuousClock.now - start).seconds
        progress.update(done, force: true)
        progress.finish()
        try ResultOutput.emit([
            "facts": done, "seconds": seconds, "facts_per_second": Double(done) / seconds,
            // Generating the corpus is not the store's cost; it is reported so it can be subtracted.
            "generate_seconds": buildSeconds, "facts_per_second_store_only": Double(done) / max(seconds - buildSeconds, 1e-9),
            "batch": batch, "method": writer.method,
        ])
    }
}
