import Columnstore
import Foundation
import Testing

@Suite("Migration directory")
struct MigrationDirectoryTests {
    private func temporaryRoot() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("projection-ddl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    private func snapshotOfTree(_ root: String) throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        while let relative = enumerator.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: root + "/" + relative), !relative.hasSuffix("/") {
                var isDirectory: ObjCBool = false
                FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
                if !isDirectory.boolValue { files[relative] = String(decoding: data, as: UTF8.self) }
            }
        }
        return files
    }

    @Test("generating twice gives an identical tree")
    func generateTwice() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for target in [DDLTarget.clickhouse(cluster: nil), .postgres] {
            let first = try MigrationGenerator.generate(schema: .ordersAnalytics, target: target, outputRoot: root)
            #expect(first.migration?.name == "0001_initial.sql")
        }
        let tree = try snapshotOfTree(root)
        #expect(tree.keys.sorted() == [
            "clickhouse/0001_initial.sql", "clickhouse/schema.lock.json",
            "postgres/0001_initial.sql", "postgres/schema.lock.json",
        ])
        for target in [DDLTarget.clickhouse(cluster: nil), .postgres] {
            let second = try MigrationGenerator.generate(schema: .ordersAnalytics, target: target, outputRoot: root)
            #expect(second.isUpToDate)
        }
        #expect(try snapshotOfTree(root) == tree)
    }

    @Test("hand-written migrations are kept and numbered around")
    func handWritten() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let v1 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v1.binpb"))
        let v2 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v2.binpb"))
        try MigrationGenerator.generate(schema: v1, target: .postgres, outputRoot: root)
        let handWritten = root + "/postgres/0002_backfill.sql"
        let text = "UPDATE item_prices SET price = 0 WHERE price < 0;\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: handWritten))

        let plan = try MigrationGenerator.generate(schema: v2, target: .postgres, outputRoot: root)
        #expect(plan.migration?.name == "0003_alter_item_views_price_change.sql")
        #expect(FileManager.default.contents(atPath: handWritten) == Data(text.utf8))
        let names = try MigrationDirectory(root: root, target: .postgres).migrationFileNames()
        #expect(names == ["0001_initial.sql", "0002_backfill.sql", "0003_alter_item_views_price_change.sql"])
        #expect(try MigrationDirectory(root: root, target: .postgres).readLock() == SchemaSnapshot(v2, target: .postgres))
    }

    @Test("a refused destructive change writes nothing")
    func refusedWritesNothing() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let v2 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v2.binpb"))
        let v3 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v3.binpb"))
        try MigrationGenerator.generate(schema: v2, target: .clickhouse(cluster: nil), outputRoot: root)
        let before = try snapshotOfTree(root)
        #expect(throws: MigrationGeneratorError.self) {
            try MigrationGenerator.generate(schema: v3, target: .clickhouse(cluster: nil), outputRoot: root)
        }
        #expect(try snapshotOfTree(root) == before)
    }
}
