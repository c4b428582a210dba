import ClickHouseHTTP
import Columnstore

extension ClickHouseRebuilder {
    /// Per table: a lightweight `DELETE` of the tenant's rows, then `INSERT … SELECT` of the rebuilt ones.
    /// Not atomic (ClickHouse has no transactions): between the two, queries see the tenant without rows
    /// in that table; never a mix of generations. Other tenants never move.
    public func cutoverTenant(_ tenant: String, generation: RebuildGeneration, liveCheckpoint: UInt64) async throws {
        let live = generation.live.projection, rebuild = generation.rebuild.projection
        let layouts = try schema.tables.map(StateHashLayout.init(table:))
        for layout in layouts where !(try await exists(layout.table.name + RebuildGeneration.rebuildSuffix)) {
            throw RebuildError(code: .nothingToCutOver, detail: "no shadow tables (\(RebuildGeneration.rebuildSuffix)): run a rebuild first")
        }
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
        for layout in layouts {
            let name = layout.table.name, tenantColumn = "`\(layout.tenantColumn.name)`"
            let columns = layout.table.columns.map { "`\($0.name)`" }.joined(separator: ", ")
            try await client.execute("DELETE FROM \(name) WHERE \(tenantColumn) = {t:String}", parameters: ["t": tenant])
            // A latest table's shadow may hold unmerged versions of a row; without FINAL they would land in
            // one new part in read order, and on equal versions that order, not the stream's, would win.
            let final = layout.table.kind == .latest ? " FINAL" : ""
            try await client.execute(
                "INSERT INTO \(name) (\(columns)) SELECT \(columns) FROM \(name + RebuildGeneration.rebuildSuffix)\(final) WHERE \(tenantColumn) = {t:String}",
                parameters: ["t": tenant], settings: ["insert_deduplicate": "0"])
            try await client.execute("DROP TABLE \(name + RebuildGeneration.rebuildSuffix) SYNC")
        }
        for table in Self.internalTables {
            try await deleteNamespace(table.name, rebuild)
        }
    }
}
