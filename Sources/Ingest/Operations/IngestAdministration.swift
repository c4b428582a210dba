import Columnstore

/// What the token-protected admin endpoints may ask of a running pipeline.
public protocol IngestAdministration: Sendable {
    /// Stops fetching; what is held is still written and acked (within a linger), then ingest idles.
    /// Returns whether it is idle (false when a batch was still failing at the drain timeout).
    @discardableResult
    func pause() async -> Bool
    /// Paused only: re-reads the checkpoint from the store and re-creates the consumer after it.
    func reload() async throws
    /// Fetches again.
    func resume() async
    /// Quarantined facts of one partition of this projection, oldest first: `partition`, or nil for the
    /// partition this ingest consumes (sequences are only unique within a partition's stream); of one
    /// durable: `consumer`, or nil for this ingest's, with the entries that name none (before internal
    /// tables version 6).
    func quarantined(partition: Int?, consumer: String?, tenant: String?, afterSequence: UInt64, limit: Int) async throws -> [QuarantinedFact]
    /// Publishes quarantined facts of one partition and durable (nil: this ingest's) again on their
    /// original subjects, into this ingest's stream only (after a fix), then removes them from the
    /// quarantine. `sequences` picks them; nil takes the oldest `limit` (of `tenant`, if given).
    func redrive(partition: Int?, consumer: String?, sequences: [UInt64]?, tenant: String?, limit: Int) async throws -> [RedrivenFact]
}
