/// The console's skip: a quarantined fact is dropped for good (it is not re-driven), leaving an audit
/// record that says what was dropped, when and why.
protocol QuarantineSkipping: Sendable {
    /// Writes an audit record for each named quarantine entry of `partition` and `consumer` (nil: this
    /// ingest's), then removes the entry; answers the entries skipped. Entries not in the quarantine are ignored.
    func skip(partition: Int?, consumer: String?, sequences: [UInt64], note: String) async throws -> [SkippedKey]
    /// The audit records of the facts this consumer skipped, in key order (at most `limit`).
    func skippedFacts(limit: Int) async throws -> [SkippedFact]
}
