/// A store that projected rows are written to. Its delivery guarantee is part of its type: the ingest
/// pipeline drives exactly `Guarantee.steps` for every batch, and acks only after the last one.
public protocol ProjectionStore: Sendable {
    associatedtype Guarantee: DeliveryGuarantee

    /// The checkpoint and any batch whose intent was persisted but not completed.
    func loadCheckpoint(_ consumer: ConsumerID) async throws -> StoredCheckpoint

    /// Fences the consumer's checkpoint with a newly acquired lease `epoch`: from now on the store
    /// rejects batches written under a lower epoch (`StoreError.fenced`). Call it after taking the lease
    /// and before `loadCheckpoint`. Throws `.fenced` when a higher epoch already holds it.
    func fence(_ consumer: ConsumerID, epoch: UInt64) async throws

    /// The lease epoch that fences the consumer now (0 when never fenced). Epochs are a lease bucket's
    /// revisions, which start again at 1 when the bucket is re-created: a replica fenced at start reads it
    /// to move the bucket's revisions past it (`PartitionCoordinator`).
    func leaseEpoch(_ consumer: ConsumerID) async throws -> UInt64

    /// Runs one step of a batch. Each step must be idempotent for the same payload: after a failure or
    /// a crash it is run again with the same payload.
    /// - Returns: counts once the rows are written (the step that writes them), else nil.
    func run(_ step: BatchStep, _ payload: BatchPayload) async throws -> BatchOutcome?

    /// Writes the payload's facts as `run` would, but durably nothing: throws `StoreError.dataRejected`
    /// exactly when the store would refuse these facts for a data reason. The pipeline probes parts of a
    /// refused batch with it to isolate the facts responsible (docs/DESIGN.md, "Store rejections").
    func probe(_ payload: BatchPayload) async throws

    /// Cheap probe for `/readyz`: the store answers and the internal tables exist.
    func checkWritable() async throws

    /// Quarantined facts of `projection` ordered by (sequence, partition, consumer), after `after` (the
    /// key of the previous page's last fact; nil for the first page), at most `limit`; only `partition`'s
    /// and `tenant`'s when given. With `consumers`, only the entries those durables recorded (the empty
    /// name: entries recorded before entries named their consumer, internal tables version 6).
    func quarantined(projection: String, consumers: Set<String>?, partition: Int?, tenant: String?, after: QuarantineKey?, limit: Int) async throws -> [QuarantinedFact]

    /// Removes quarantine entries once their facts were re-driven (published again) or skipped. A key
    /// names one entry: its consumer, partition and sequence.
    func removeQuarantined(projection: String, keys: [QuarantineKey]) async throws
}

extension ProjectionStore {
    /// Every consumer's quarantined facts (see the requirement).
    public func quarantined(projection: String, partition: Int?, tenant: String?, after: QuarantineKey?, limit: Int) async throws -> [QuarantinedFact] {
        try await quarantined(projection: projection, consumers: nil, partition: partition, tenant: tenant, after: after, limit: limit)
    }
}
