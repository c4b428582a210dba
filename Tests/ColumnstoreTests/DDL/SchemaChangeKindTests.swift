import Columnstore
import Testing

/// `SchemaChange.kind`: the classification the evolution tests demand a scenario for (pure, from the shop fixtures).
@Suite("Schema change kinds")
struct SchemaChangeKindTests {
    static func kinds(_ from: String, _ to: String, _ target: DDLTarget) throws -> [SchemaChange.Kind] {
        let old = try ProjectionSchema(descriptorSet: FixtureFiles.bytes(from))
        let new = try ProjectionSchema(descriptorSet: FixtureFiles.bytes(to))
        let plan = try MigrationPlanner.plan(
            schema: new, target: target, existingFiles: [], lock: SchemaSnapshot(old, target: target), allowDestructive: true)
        #expect(plan.changes.allSatisfy { $0.kind.isDestructive == $0.isDestructive }, "\(plan.changes)")
        return plan.changes.map(\.kind)
    }

    @Test("the shop fixture's additive step: new columns split by nullability, codec, TTL, new table")
    func additive() throws {
        #expect(Set(try Self.kinds("shop_v1.binpb", "shop_v2.binpb", .clickhouse(cluster: nil)))
                == [.addNullableColumn, .addColumnWithDefault, .changeCodec, .changeTTL, .createTable])
        #expect(Set(try Self.kinds("shop_v1.binpb", "shop_v2.binpb", .postgres)) == [.addNullableColumn, .addColumnWithDefault, .createTable])
    }

    @Test("the shop fixture's destructive step")
    func destructive() throws {
        #expect(Set(try Self.kinds("shop_v2.binpb", "shop_v3.binpb", .postgres)) == [.dropColumn, .changeColumnType])
    }

    @Test("the ledger's schema hash is the last applied file's")
    func recordedSchemaHash() {
        let files = ["0001_a.sql", "0002_b.sql", "0003_c.sql"].map { MigrationFile(name: $0, checksum: $0, statements: ["SELECT 1;"]) }
        let ledger = [
            MigrationLedgerEntry(name: "0001_a.sql", checksum: "0001_a.sql", statementsApplied: 1, statementsTotal: 1, schemaHash: "aa"),
            MigrationLedgerEntry(name: "0002_b.sql", checksum: "0002_b.sql", statementsApplied: 1, statementsTotal: 1, schemaHash: "bb"),
        ]
        let plan = MigrationRunPlan(files: files, ledger: ledger)
        #expect(plan.recordedSchemaHash?.hash == "bb")
        #expect(plan.recordedSchemaHash?.file == "0002_b.sql")
        // A ledger row written before the column existed: unknown, not an older file's hash.
        let old = MigrationRunPlan(files: files, ledger: ledger + [MigrationLedgerEntry(name: "0003_c.sql", checksum: "0003_c.sql", statementsApplied: 1, statementsTotal: 1)])
        #expect(old.recordedSchemaHash == nil)
        #expect(MigrationRunPlan(files: files, ledger: []).recordedSchemaHash == nil)
    }
}
