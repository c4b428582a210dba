import LibPQ
import Columnstore

extension PostgresRebuilder {
    /// One transaction: readers see the tenant's old rows or its rebuilt rows, never a mix, and other
    /// tenants never move.
    public func cutoverTenant(_ tenant: String, generation: RebuildGeneration, liveCheckpoint: UInt64) async throws {
        let connection = try await connected()
        let live = generation.live.projection, rebuild = generation.rebuild.projection
        let layouts = try schema.tables.map(StateHashLayout.init(table:))
        try await connection.transaction { c in
            for layout in layouts {
                let exists = try await c.query("SELECT to_regclass($1) IS NOT NULL", [.text(layout.table.name + RebuildGeneration.rebuildSuffix)])
                guard exists.single?.bool(at: 0) == true else {
                    throw RebuildError(code: .nothingToCutOver, detail: "no shadow tables (\(RebuildGeneration.rebuildSuffix)): run a rebuild first")
                }
            }
            for layout in layouts {
                let name = layout.table.name, tenantColumn = PostgresRebuilder.quote(layout.tenantColumn.name)
                let columns = layout.table.columns.map { PostgresRebuilder.quote($0.name) }.joined(separator: ", ")
                try await c.query("DELETE FROM \(name) WHERE \(tenantColumn) = $1", [.text(tenant)])
                try await c.query("INSERT INTO \(name) (\(columns)) SELECT \(columns) FROM \(name + RebuildGeneration.rebuildSuffix) WHERE \(tenantColumn) = $1", [.text(tenant)])
                try await c.execute("DROP TABLE \(name + RebuildGeneration.rebuildSuffix)")
            }
            // The tenant's keys and quarantine entries become the rebuild's (a set: keys above the live
            // checkpoint make the live ingest skip facts whose rows the rebuild already wrote).
            for table in ["_projection_seen_keys", "_projection_quarantine"] {
                try await c.query("DELETE FROM \(table) WHERE projection = $1 AND tenant_id = $2", [.text(live), .text(tenant)])
                try await c.query("UPDATE \(table) SET projection = $1 WHERE projection = $2 AND tenant_id = $3", [.text(live), .text(rebuild), .text(tenant)])
            }
            // The moved quarantine entries become the live consumers'.
            for consumer in generation.consumers {
                try await c.query(
                    "UPDATE _projection_quarantine SET consumer = $2 WHERE projection = $1 AND consumer = $3 AND partition = $4 AND tenant_id = $5",
                    [.text(live), .text(consumer.consumer), .text(generation.rebuild(of: consumer).consumer), .int64(Int64(consumer.partition)), .text(tenant)])
            }
            for table in Self.internalTables {
                try await c.query("DELETE FROM \(table) WHERE projection = $1", [.text(rebuild)])
            }
        }
    }

    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
