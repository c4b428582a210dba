/// The store side of a rebuild: shadow tables, then an atomic cutover (see docs/OPERATIONS.md).
public protocol ProjectionRebuilder: Sendable {
    /// Drops any earlier shadow tables and rebuild rows, creates empty shadow tables from `schema`, and
    /// (for `fromSequence` > 1) seeds the rebuild checkpoint so consumption starts there.
    func prepare(_ generation: RebuildGeneration, fromSequence: UInt64) async throws

    /// The rebuild's checkpoint (last applied sequence).
    func checkpoint(of consumer: ConsumerID) async throws -> UInt64

    /// Consumers (durable and partition) other than the generation's with a checkpoint or quarantine
    /// entries in the live namespace, named as `RebuildGeneration.others(among:)` does: a rebuild replays
    /// only its own consumers' streams, so a cutover would drop theirs (rows, seen keys, entries). Entries
    /// naming no durable (before internal tables version 6) do not count.
    func otherDurables(than generation: RebuildGeneration) async throws -> [String]

    /// Puts the tables `<table><incomingSuffix>` and the internal rows of `incoming` in the live place;
    /// the replaced generation becomes `__previous` (`keepPrevious`) or is dropped. Throws `missing`
    /// when there are no incoming tables.
    func swap(in incomingSuffix: String, from incoming: ConsumerID, into generation: RebuildGeneration, keepPrevious: Bool, missing: RebuildError) async throws

    /// Tenant-scoped cutover: replaces `tenant`'s rows in the live tables with the shadow tables' (which
    /// hold only that tenant), and its seen keys and quarantine entries with the rebuild's; other tenants
    /// and the live checkpoint are untouched. The rebuild must have applied every fact up to
    /// `liveCheckpoint` (the paused live consumer's); its keys above it make the live ingest skip those
    /// facts when it gets to them, since their rows are already in. Drops the shadow tables.
    func cutoverTenant(_ tenant: String, generation: RebuildGeneration, liveCheckpoint: UInt64) async throws

    /// Finishes a swap (cutover or rollback) that stopped part-way, and says what it finished; nil when
    /// none is unfinished. Stores whose swap is one transaction never leave one.
    func finishInterruptedSwap(_ generation: RebuildGeneration) async throws -> String?

    /// What an unfinished swap is (kind and the step it stopped at), or nil.
    func unfinishedSwap(_ generation: RebuildGeneration) async throws -> String?

    func close() async
}

extension ProjectionRebuilder {
    /// A swap in one transaction (Postgres) either happened or did not: nothing to finish.
    public func finishInterruptedSwap(_ generation: RebuildGeneration) async throws -> String? { nil }

    public func unfinishedSwap(_ generation: RebuildGeneration) async throws -> String? { nil }

    /// Swaps the shadow tables in for the live ones and moves the rebuild's checkpoint, seen keys and
    /// quarantine to the live namespace. The live ingest must be paused and idle (or stopped), and the
    /// rebuild ingest stopped. With `keepPrevious`, the replaced tables and rows stay as `__previous`.
    public func cutover(_ generation: RebuildGeneration, keepPrevious: Bool) async throws {
        try await swap(in: RebuildGeneration.rebuildSuffix, from: generation.rebuild, into: generation, keepPrevious: keepPrevious,
                       missing: RebuildError(code: .nothingToCutOver, detail: "no shadow tables (\(RebuildGeneration.rebuildSuffix)): run a rebuild first"))
    }

    /// Swaps the `__previous` generation back in (the generation it replaces becomes `__previous`, so a
    /// rollback can be undone).
    public func rollback(_ generation: RebuildGeneration) async throws {
        try await swap(in: RebuildGeneration.previousSuffix, from: generation.previous, into: generation, keepPrevious: true,
                       missing: RebuildError(code: .nothingToRollBack, detail: "no \(RebuildGeneration.previousSuffix) tables: the cutover did not keep them"))
    }
}
