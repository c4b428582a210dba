import Columnstore
import Foundation
import Testing
@testable import Ingest
import IngestTestKit

/// The admin calls over a quarantine that two durables share (another stream into the same tables), in
/// memory: whose entries each call addresses, and pages that neither skip nor repeat when entries share
/// a sequence.
@Suite("Quarantine administration across durables")
struct QuarantineAdministrationTests {
    static let sequences: ClosedRange<UInt64> = 1...5

    /// The pipeline's own durable, another durable and one entry of each sequence recorded before
    /// entries named their consumer (an empty one) at sequence 3, all in partition 0.
    static func setUp() async throws -> (PipelineRunner<ExactlyOnce>, IngestPipeline<InMemoryStore<ExactlyOnce>, InMemoryMessageSource>) {
        let configuration = try PipelineRunner<ExactlyOnce>.configuration()
        let store = InMemoryStore<ExactlyOnce>()
        let runner = PipelineRunner(configuration: configuration, source: InMemoryMessageSource(), store: store)
        let own = configuration.consumer
        let other = ConsumerID(projection: own.projection, consumer: "other-durable")
        let legacy = ConsumerID(projection: own.projection, consumer: "")
        for (consumer, sequences) in [(own, Array(sequences)), (other, Array(sequences)), (legacy, [UInt64(3)])] {
            let payload = BatchPayload(consumer: consumer, range: SequenceRange(first: 1, last: 5), facts: [], quarantined: sequences.map {
                QuarantinedFact(sequence: $0, subject: "facts.t1.orders.order_placed.v1", tenant: "t1", reason: "poison",
                                raw: Array("\(consumer.consumer)#\($0)".utf8))
            })
            for step in ExactlyOnce.steps { _ = try await store.run(step, payload) }
        }
        return (runner, runner.makePipeline())
    }

    /// Every page of `limit` through the admin call, continued by the last sequence as the API does.
    static func pages(_ pipeline: IngestPipeline<InMemoryStore<ExactlyOnce>, InMemoryMessageSource>, consumer: String?, limit: Int) async throws -> [QuarantineKey] {
        var keys: [QuarantineKey] = []
        var after: UInt64 = 0
        while true {
            let page = try await pipeline.quarantined(partition: nil, consumer: consumer, tenant: nil, afterSequence: after, limit: limit)
            keys += page.map(\.key)
            guard page.count >= limit, let last = page.last else { return keys }
            after = last.sequence
        }
    }

    @Test("an ingest lists its own durable's entries and those naming none; pages of any size miss and repeat none", arguments: [1, 2, 3, 100])
    func ownEntries(limit: Int) async throws {
        let (runner, pipeline) = try await Self.setUp()
        let own = runner.configuration.consumer.consumer
        let expected = (Self.sequences.map { QuarantineKey(partition: 0, sequence: $0, consumer: own) } + [QuarantineKey(partition: 0, sequence: 3)]).sorted()
        #expect(try await Self.pages(pipeline, consumer: nil, limit: limit) == expected)
    }

    @Test("with a durable named, exactly that durable's entries (the empty name: those naming none)", arguments: [1, 2, 100])
    func namedDurable(limit: Int) async throws {
        let (runner, pipeline) = try await Self.setUp()
        #expect(try await Self.pages(pipeline, consumer: "other-durable", limit: limit)
                == Self.sequences.map { QuarantineKey(partition: 0, sequence: $0, consumer: "other-durable") })
        #expect(try await Self.pages(pipeline, consumer: "", limit: limit) == [QuarantineKey(partition: 0, sequence: 3)])
        let own = runner.configuration.consumer.consumer
        #expect(try await Self.pages(pipeline, consumer: own, limit: limit) == Self.sequences.map { QuarantineKey(partition: 0, sequence: $0, consumer: own) })
    }

    @Test("a re-drive publishes and removes only this durable's entries (and those naming none) at the sequences")
    func redriveOwn() async throws {
        let (runner, pipeline) = try await Self.setUp()
        let own = runner.configuration.consumer.consumer
        let redriven = try await pipeline.redrive(partition: nil, consumer: nil, sequences: [2, 3], tenant: nil, limit: 100)
        #expect(redriven.map(\.sequence) == [2, 3, 3], "own 2, then at 3 the entry naming none and own")
        // The two entries at 3 may be different facts (the one naming none may be another durable's from
        // before version 6): their message ids differ, so both are stored.
        #expect(runner.source.lastSequence == 3)
        let left = try await runner.store.quarantined(projection: runner.configuration.consumer.projection, partition: nil, tenant: nil, after: nil, limit: 100)
        #expect(left.filter { $0.consumer == "other-durable" }.map(\.sequence) == Array(Self.sequences), "the other durable's entries stay")
        #expect(left.filter { $0.consumer == own }.map(\.sequence) == [1, 4, 5])
        #expect(!left.contains { $0.consumer.isEmpty })
    }

    @Test("naming this durable (as the console does for the entry it shows) re-drives that entry, not the one naming none at its sequence")
    func exactSkipTarget() async throws {
        let (runner, pipeline) = try await Self.setUp()
        let own = runner.configuration.consumer.consumer
        let redriven = try await pipeline.redrive(partition: 0, consumer: own, sequences: [3], tenant: nil, limit: 100)
        #expect(redriven.count == 1)
        let left = try await runner.store.quarantined(projection: runner.configuration.consumer.projection, partition: nil, tenant: nil, after: nil, limit: 100)
        #expect(left.contains { $0.sequence == 3 && $0.consumer.isEmpty } && !left.contains { $0.sequence == 3 && $0.consumer == own })
    }

    @Test("a re-drive of another durable's entry names that durable in its message id: its equal sequence is another fact")
    func redriveOther() async throws {
        let (runner, pipeline) = try await Self.setUp()
        _ = try await pipeline.redrive(partition: nil, consumer: nil, sequences: [4], tenant: nil, limit: 100)
        let redriven = try await pipeline.redrive(partition: nil, consumer: "other-durable", sequences: [4], tenant: nil, limit: 100)
        #expect(redriven.map(\.sequence) == [4])
        #expect(runner.source.lastSequence == 2, "both stored: the ids differ")
        let left = try await runner.store.quarantined(projection: runner.configuration.consumer.projection, partition: nil, tenant: nil, after: nil, limit: 100)
        #expect(!left.contains { $0.sequence == 4 })
    }

    @Test("another partition's entries: every durable's listed; a re-drive there must name the durable (invalid_argument), then takes only its entries")
    func anotherPartition() async throws {
        let (runner, pipeline) = try await Self.setUp()
        let projection = runner.configuration.consumer.projection
        for name in ["p2-durable", "p2-other"] {
            let payload = BatchPayload(consumer: ConsumerID(projection: projection, consumer: name, partition: 2), range: SequenceRange(first: 1, last: 1), facts: [],
                                       quarantined: [QuarantinedFact(sequence: 1, subject: "facts.t1.orders.order_placed.v1", tenant: "t1", reason: "poison", raw: Array(name.utf8))])
            for step in ExactlyOnce.steps { _ = try await runner.store.run(step, payload) }
        }
        let listed = try await pipeline.quarantined(partition: 2, consumer: nil, tenant: nil, afterSequence: 0, limit: 100)
        #expect(listed.map(\.key) == [QuarantineKey(partition: 2, sequence: 1, consumer: "p2-durable"), QuarantineKey(partition: 2, sequence: 1, consumer: "p2-other")])
        let error = await #expect(throws: AdminError.self) { try await pipeline.redrive(partition: 2, consumer: nil, sequences: [1], tenant: nil, limit: 100) }
        #expect(error?.code == .invalidArgument)
        #expect(runner.source.lastSequence == 0, "nothing published")
        let redriven = try await pipeline.redrive(partition: 2, consumer: "p2-other", sequences: [1], tenant: nil, limit: 100)
        #expect(redriven.map(\.partition) == [2])
        #expect(redriven.map(\.consumer) == ["p2-other"], "the answer names the entry's durable")
        let left = try await pipeline.quarantined(partition: 2, consumer: nil, tenant: nil, afterSequence: 0, limit: 100)
        #expect(left.map(\.consumer) == ["p2-durable"])
    }

}
