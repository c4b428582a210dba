/// The store side of a rebuild: shadow tables, then an atomic cutover (see docs/OPERATIONS.md).
public protocol ProjectionRebuilder: Sendable {
    /// Drops any earlier shadow tables and rebuild rows, creates empty shadow tables from `schema`, and
    /// (for `fromSequence` > 1) seeds the rebuild checkpoint so consumption starts there.
    func prepare(_ generation: RebuildGeneration, fromSequence: UInt64) async throws

    /// The rebuild's checkpoint (last applied sequence).
    func checkpoint(of consumer: ConsumerID) async throws -> UInt64

    /// Swaps the shadow tables in for the live ones and moves the rebuild's checkpoint, seen keys and
    /// quarantine to the live namespace. The live ingest must be paused and idle (or stopped), and the
    /// rebuild ingest stopped. With `keepPrevious`, the replaced tables and rows stay as `__previous`.
    func cutover(_ generation: RebuildGeneration, keepPrevious: Bool) async throws

    /// Swaps the `__previous` generation back in (the generation it replaces becomes `__previous`).
    func rollback(_ generation: RebuildGeneration) async throws

    func close() async
}
