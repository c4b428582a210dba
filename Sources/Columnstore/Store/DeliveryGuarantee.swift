/// What a store can promise about applying a batch, as a type (akka-projection's
/// `ExactlyOnceProjection` vs `AtLeastOnceProjection`): the batch state machine is generic over it,
/// so the steps a batch goes through are fixed at compile time by the store's capabilities.
public protocol DeliveryGuarantee: Sendable {
    /// The store-side steps of one batch, in order. The batch is acked only after the last one.
    static var steps: [BatchStep] { get }
}

/// Postgres: seen keys, rows and the checkpoint are written in ONE transaction, so a batch either
/// happened entirely or not at all.
public enum ExactlyOnce: DeliveryGuarantee {
    public static let steps: [BatchStep] = [.commitTransaction]
}

/// ClickHouse: no multi-statement transactions. The batch's intent (its range) is persisted first,
/// rows are inserted with deterministic deduplication tokens, then the checkpoint is advanced. A crash
/// anywhere re-forms the same batch from the recorded range, and ClickHouse drops the re-inserts.
public enum EffectivelyOnce: DeliveryGuarantee {
    public static let steps: [BatchStep] = [.persistIntent, .insertRows, .persistCheckpoint]
}
