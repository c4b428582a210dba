import ClickHouseHTTP
import Columnstore

extension ClickHouseRebuilder {
    /// Per table: a lightweight `DELETE` of the tenant's rows, then `INSERT … SELECT` of the rebuilt ones.
    /// Not atomic (ClickHouse has no transactions): between the two, queries see the tenant without rows
    /// in that table; never a mix of generations. Other tenants never move.
    ///
    /// Journaled like a whole cutover (`ClickHouseSwapJournal` with a tenant): stopped part-way, it leaves
    /// the live checkpoints unloadable until `finishInterruptedSwap` (any `rebuild --cutover`) finishes it
    /// from the step it reached, so the live ingest never resumes on a half-moved tenant, and no new rebuild
    /// drops the shadow tables it still copies from.
    public func cutoverTenant(_ tenant: String, generation: RebuildGeneration, liveCheckpoint: UInt64) async throws {
        let live = generation.live.projection
        try await locked {
            let earlier = try await self.journal(of: live)
            if let earlier, !earlier.isDone { throw Self.unfinished(earlier) }
            for table in self.schema.tables where !(try await self.exists(table.name + RebuildGeneration.rebuildSuffix)) {
                throw RebuildError(code: .nothingToCutOver, detail: "no shadow tables (\(RebuildGeneration.rebuildSuffix)): run a rebuild first")
            }
            let journal = ClickHouseSwapJournal(tenant: tenant, liveCheckpoint: liveCheckpoint, generation: generation, tables: self.schema.tables.map(\.name))
            try await self.begin(journal, after: earlier, generation: generation)
        }
    }

    /// One step of a tenant cutover (`ClickHouseSwapJournal.TenantStep`, then the tables, then clearing the
    /// rebuild namespace). Each replaces the tenant's rows from a source still in place, so it repeats.
    func performTenant(_ index: Int, tenant: String, _ journal: ClickHouseSwapJournal, _ generation: RebuildGeneration) async throws {
        let live = generation.live.projection, rebuild = journal.incomingProjection
        switch ClickHouseSwapJournal.TenantStep(rawValue: index) {
        case .replaceKeys:
            try await replaceTenantKeys(tenant, live: live, rebuild: rebuild, liveCheckpoint: journal.liveCheckpoint ?? 0)
        case .replaceQuarantine:
            try await replaceTenantQuarantine(tenant, live: live, rebuild: rebuild, generation: generation)
        case nil:
            if let name = journal.table(atStep: index) {
                try await replaceTenantRows(tenant, table: name)
            } else {
                for table in Self.internalTables { try await deleteNamespace(table.name, rebuild) }
            }
        }
    }

    private func replaceTenantKeys(_ tenant: String, live: String, rebuild: String, liveCheckpoint: UInt64) async throws {
        // Keys first, so that from here on the live ingest skips what the rebuild applied: copied with the
        // rebuild's batch and partition, every key counts as another batch's, and only the rebuild's own
        // entries (copied below with their scope) could exclude one; not another durable's entry at the same
        // sequence, as a key without a batch would be. Keys above the live checkpoint also get sequence 0,
        // for a batch an earlier release left pending (its rule counts keys recorded below the batch).
        try await client.execute("DELETE FROM _projection_seen_keys WHERE projection = {p:String} AND tenant_id = {t:String}",
                                 parameters: ["p": live, "t": tenant])
        // Not the keys of facts the rebuild's store refused (its batches recorded them before the refusal,
        // and its quarantine entries exclude them): copied, they would count as applied, and the entry's
        // re-drive, which deletes only its own scope's keys, would be dropped as a duplicate.
        try await client.execute(
            """
            INSERT INTO _projection_seen_keys (projection, fact_type, tenant_id, idempotency_key, stream_sequence, seen_at, batch, partition)
            SELECT {p:String}, fact_type, tenant_id, idempotency_key, if(stream_sequence > {l:UInt64}, 0, stream_sequence), seen_at, batch, partition
            FROM _projection_seen_keys WHERE projection = {r:String} AND tenant_id = {t:String}
              AND (stream_sequence, \(ClickHouseProjectionStore.seenKeyScope)) GLOBAL NOT IN (
                SELECT stream_sequence, batch_scope FROM _projection_quarantine WHERE projection = {r:String} AND batch_scope != '')
              AND (stream_sequence, partition) GLOBAL NOT IN (
                SELECT stream_sequence, partition FROM _projection_quarantine WHERE projection = {r:String} AND batch_scope = '')
            """,
            parameters: ["p": live, "r": rebuild, "t": tenant, "l": String(liveCheckpoint)],
            settings: ["insert_deduplicate": "0"])
    }

    private func replaceTenantQuarantine(_ tenant: String, live: String, rebuild: String, generation: RebuildGeneration) async throws {
        let quarantine = Self.internalTables.first { $0.name == "_projection_quarantine" }!
        try await client.execute("DELETE FROM _projection_quarantine WHERE projection = {p:String} AND tenant_id = {t:String}",
                                 parameters: ["p": live, "t": tenant])
        // The entries become the live consumers'. They keep their batch scope, which names the rebuild's
        // batches: the keys copied above, and nothing of another durable's at that sequence.
        let select = quarantine.columns.map { column in
            column == "consumer" ? "transform(consumer, {rc:Array(String)}, {lc:Array(String)}, consumer)" : column
        }
        // Durable names hold only letters, digits, - and _ (checked by ingest), so they quote plainly.
        let names = { (consumers: [ConsumerID]) in "[" + consumers.map { "'\($0.consumer)'" }.joined(separator: ",") + "]" }
        try await client.execute(
            """
            INSERT INTO _projection_quarantine (projection, \(quarantine.columns.joined(separator: ", ")))
            SELECT {p:String}, \(select.joined(separator: ", ")) FROM _projection_quarantine
            WHERE projection = {r:String} AND tenant_id = {t:String}
            """,
            parameters: ["p": live, "r": rebuild, "t": tenant, "rc": names(generation.consumers.map(generation.rebuild(of:))),
                         "lc": names(generation.consumers)],
            settings: ["insert_deduplicate": "0"])
    }

    /// The tenant's rows of one table from its shadow, which is then dropped; done already when the shadow
    /// is gone (its drop is the step's last statement).
    private func replaceTenantRows(_ tenant: String, table name: String) async throws {
        guard try await exists(name + RebuildGeneration.rebuildSuffix) else { return }
        guard let table = schema.tables.first(where: { $0.name == name }) else {
            throw StoreError(code: .unexpectedResponse, detail: "the cutover journal names table \(name), which the schema does not have")
        }
        let layout = try StateHashLayout(table: table)
        let tenantColumn = "`\(layout.tenantColumn.name)`"
        let columns = layout.table.columns.map { "`\($0.name)`" }.joined(separator: ", ")
        try await client.execute("DELETE FROM \(name) WHERE \(tenantColumn) = {t:String}", parameters: ["t": tenant])
        try faultPoint("deleted tenant rows of \(name)")
        // A latest table's shadow may hold unmerged versions of a row; without FINAL they would land in
        // one new part in read order, and on equal versions that order, not the stream's, would win.
        let final = layout.table.kind == .latest ? " FINAL" : ""
        try await client.execute(
            "INSERT INTO \(name) (\(columns)) SELECT \(columns) FROM \(name + RebuildGeneration.rebuildSuffix)\(final) WHERE \(tenantColumn) = {t:String}",
            parameters: ["t": tenant], settings: ["insert_deduplicate": "0"])
        try faultPoint("inserted tenant rows of \(name)")
        try await client.execute("DROP TABLE \(name + RebuildGeneration.rebuildSuffix) SYNC")
    }
}
