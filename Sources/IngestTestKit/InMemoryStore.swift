import Columnstore
import Synchronization

/// A `ProjectionStore` in memory with the semantics the real ones promise (checkpoint and rows in one
/// step for `ExactlyOnce`; intent, deduplicated insert and checkpoint for `EffectivelyOnce`), lease
/// fencing, idempotency keys, a quarantine, and injectable faults: failed, rejected and crashing steps.
public final class InMemoryStore<Guarantee: DeliveryGuarantee>: ProjectionStore {
    struct Checkpoint {
        var committed: UInt64 = 0
        var pending: SequenceRange?
    }

    struct State {
        var checkpoints: [ConsumerID: Checkpoint] = [:]
        var epochs: [ConsumerID: UInt64] = [:]
        var keys: Set<IdempotencyKey> = []
        var applied: [UInt64] = []
        var rows = 0
        var quarantine: [QuarantineKey: QuarantinedFact] = [:]
        var tokens: Set<String> = []
        var stepsRun = 0
        var crashed = false
        var available = true
    }

    private let state = Mutex(State())
    private let decide: @Sendable (_ step: BatchStep, _ payload: BatchPayload, _ index: Int) -> StepFault
    private let refuse: @Sendable (MappedFact) -> String?

    /// - Parameters:
    ///   - decide: the fault for the `index`-th step run (from 1, over the store's life), by default none.
    ///   - refuse: a reason when the store refuses this fact for a data reason (`StoreError.dataRejected`).
    public init(decide: @escaping @Sendable (BatchStep, BatchPayload, Int) -> StepFault = { _, _, _ in .proceed },
                refuse: @escaping @Sendable (MappedFact) -> String? = { _ in nil }) {
        self.decide = decide
        self.refuse = refuse
    }

    // MARK: - The test's side

    /// Stream sequences of the facts applied, in the order applied; each fact appears at most once.
    public var applied: [UInt64] { state.withLock { $0.applied } }
    public var quarantinedSequences: Set<UInt64> { state.withLock { Set($0.quarantine.keys.map(\.sequence)) } }
    public var rowCount: Int { state.withLock { $0.rows } }
    public func committed(_ consumer: ConsumerID) -> UInt64 { state.withLock { $0.checkpoints[consumer]?.committed ?? 0 } }
    /// Raised by a `.crash` step; the test restarts the pipeline and lowers it with `recover()`.
    public var crashed: Bool { state.withLock { $0.crashed } }
    public func recover() { state.withLock { $0.crashed = false } }
    public func setAvailable(_ available: Bool) { state.withLock { $0.available = available } }
    public var stepsRun: Int { state.withLock { $0.stepsRun } }

    // MARK: - ProjectionStore

    public func loadCheckpoint(_ consumer: ConsumerID) async throws -> StoredCheckpoint {
        try state.withLock { state in
            guard state.available else { throw InMemoryFault.storeUnavailable }
            let checkpoint = state.checkpoints[consumer] ?? Checkpoint()
            return StoredCheckpoint(committed: checkpoint.committed, pending: checkpoint.pending)
        }
    }

    public func fence(_ consumer: ConsumerID, epoch: UInt64) async throws {
        try state.withLock { state in
            if let held = state.epochs[consumer], held > epoch {
                throw StoreError(code: .fenced, detail: "fenced by lease epoch \(held); this writer holds \(epoch)")
            }
            state.epochs[consumer] = epoch
        }
    }

    public func leaseEpoch(_ consumer: ConsumerID) async throws -> UInt64 {
        try state.withLock { state in
            guard state.available else { throw InMemoryFault.storeUnavailable }
            return state.epochs[consumer] ?? 0
        }
    }

    public func run(_ step: BatchStep, _ payload: BatchPayload) async throws -> BatchOutcome? {
        let index = state.withLock { state -> Int in
            state.stepsRun += 1
            return state.stepsRun
        }
        let fault = decide(step, payload, index)
        return try state.withLock { state in
            guard state.available, !state.crashed else { throw InMemoryFault.storeUnavailable }
            if let epoch = payload.leaseEpoch, let held = state.epochs[payload.consumer], held > epoch {
                throw StoreError(code: .fenced, detail: "fenced by lease epoch \(held); this writer holds \(epoch)")
            }
            switch fault {
            case .fail: throw InMemoryFault.storeUnavailable
            case .crash(afterEffect: false):
                state.crashed = true
                throw InMemoryFault.crashed
            default: break
            }
            if step.writesRows, let reason = payload.facts.lazy.compactMap(self.refuse).first {
                throw StoreError(code: .dataRejected, detail: reason)
            }
            let outcome = Self.apply(step, payload, &state)
            switch fault {
            case .failAfterEffect: throw InMemoryFault.storeUnavailable
            case .crash(afterEffect: true):
                state.crashed = true
                throw InMemoryFault.crashed
            default: return outcome
            }
        }
    }

    public func probe(_ payload: BatchPayload) async throws {
        if let reason = payload.facts.lazy.compactMap(refuse).first {
            throw StoreError(code: .dataRejected, detail: reason)
        }
    }

    public func checkWritable() async throws {
        guard state.withLock({ $0.available }) else { throw InMemoryFault.storeUnavailable }
    }

    public func quarantined(projection: String, consumers: Set<String>?, partition: Int?, tenant: String?, after: QuarantineKey?, limit: Int) async throws -> [QuarantinedFact] {
        state.withLock { state in
            QuarantinePageBudget.cut(Array(state.quarantine.values
                .filter { fact in consumers.map { $0.contains(fact.consumer) } ?? true }
                .filter { fact in partition.map { fact.partition == $0 } ?? true }
                .filter { fact in tenant.map { fact.tenant == $0 } ?? true }
                .filter { fact in after.map { $0 < fact.key } ?? true }
                .sorted { $0.key < $1.key }
                .prefix(limit)))
        }
    }

    public func removeQuarantined(projection: String, keys: [QuarantineKey]) async throws {
        state.withLock { state in
            for key in keys { state.quarantine[key] = nil }
        }
    }

    // MARK: - Semantics

    private static func apply(_ step: BatchStep, _ payload: BatchPayload, _ state: inout State) -> BatchOutcome? {
        var checkpoint = state.checkpoints[payload.consumer] ?? Checkpoint()
        defer { state.checkpoints[payload.consumer] = checkpoint }
        switch step {
        case .commitTransaction:
            // Rows and checkpoint in one transaction; a batch at or below the checkpoint is already in.
            guard payload.range.last > checkpoint.committed else { return BatchOutcome() }
            let outcome = write(payload, &state)
            checkpoint.committed = payload.range.last
            return outcome
        case .persistIntent:
            if payload.range.last > checkpoint.committed { checkpoint.pending = payload.range }
            return nil
        case .insertRows:
            // ClickHouse drops an insert whose deduplication token it has seen; tokens name the batch's
            // consumer and partition (ClickHouseBatchScope), so equal ranges of two consumers both count.
            let scope = "\(payload.consumer.consumer)/p\(payload.consumer.partition)"
            guard state.tokens.insert(payload.deduplicationToken(table: "all", scope: scope)).inserted else { return BatchOutcome() }
            return write(payload, &state)
        case .persistCheckpoint:
            checkpoint.committed = max(checkpoint.committed, payload.range.last)
            checkpoint.pending = nil
            return nil
        }
    }

    private static func write(_ payload: BatchPayload, _ state: inout State) -> BatchOutcome {
        var outcome = BatchOutcome()
        for fact in payload.facts {
            guard state.keys.insert(IdempotencyKey(fact)).inserted else {
                outcome.duplicates += 1
                continue
            }
            state.applied.append(fact.sequence)
            state.rows += fact.rows.count
            outcome.applied += 1
        }
        for fact in payload.quarantined {
            // As the real stores: the entry is the batch's consumer's and partition's, and a repeat
            // keeps one record (Postgres the first; ClickHouse's ReplacingMergeTree, unversioned, the last).
            var entry = fact
            entry.partition = payload.consumer.partition
            entry.consumer = payload.consumer.consumer
            if state.quarantine[entry.key] == nil { state.quarantine[entry.key] = entry }
            outcome.quarantined += 1
        }
        return outcome
    }
}
