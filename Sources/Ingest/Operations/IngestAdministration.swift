import Columnstore

/// What the token-protected admin endpoints may ask of a running pipeline.
public protocol IngestAdministration: Sendable {
    /// Stops fetching; what is held is still written and acked (within a linger), then ingest idles.
    func pause() async
    /// Fetches again.
    func resume() async
    /// Quarantined facts of this projection, oldest first.
    func quarantined(tenant: String?, afterSequence: UInt64, limit: Int) async throws -> [QuarantinedFact]
    /// Publishes quarantined facts again on their original subjects (after a fix), then removes them
    /// from the quarantine. `sequences` picks them; nil takes the oldest `limit` (of `tenant`, if given).
    func redrive(sequences: [UInt64]?, tenant: String?, limit: Int) async throws -> [RedrivenFact]
}
