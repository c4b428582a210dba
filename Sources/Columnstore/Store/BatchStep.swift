/// One store-side step of a batch. Which steps a batch takes depends on the `DeliveryGuarantee`.
public enum BatchStep: String, Sendable, CaseIterable {
    /// Exactly-once: skip seen keys, record new ones, write rows and advance the checkpoint, in one transaction.
    case commitTransaction = "commit_transaction"
    /// Effectively-once: record the batch range with state BEFORE.
    case persistIntent = "persist_intent"
    /// Effectively-once: insert seen keys, quarantine rows and table rows, each with a deterministic dedup token.
    case insertRows = "insert_rows"
    /// Effectively-once: record state AFTER, which is the checkpoint.
    case persistCheckpoint = "persist_checkpoint"
}
