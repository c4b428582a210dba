import Foundation
import Columnstore
import Testing

@Suite("Migration plan from files and ledger")
struct MigrationRunPlanTests {
    static func file(_ name: String, _ text: String) -> MigrationFile {
        MigrationFile(name: name, bytes: Array(text.utf8))
    }

    let first = file("0001_initial.sql", "CREATE TABLE a (x String);\n\nCREATE TABLE b (y String);\n")
    let second = file("0002_more.sql", "ALTER TABLE a ADD COLUMN IF NOT EXISTS z String;\n")

    @Test("only NNNN_*.sql files are migrations")
    func names() {
        #expect(MigrationFile.isMigrationName("0001_initial.sql"))
        #expect(MigrationFile.isMigrationName("12345_big.sql"))
        #expect(!MigrationFile.isMigrationName("schema.lock.json"))
        #expect(!MigrationFile.isMigrationName("001_short.sql"))
        #expect(!MigrationFile.isMigrationName("abcd_x.sql"))
        #expect(!MigrationFile.isMigrationName("0001_initial.sql.bak"))
        #expect(!MigrationFile.isMigrationName("GetOrder.sql"))
    }

    @Test("a .sql file not named NNNN_name.sql is refused by name, not skipped (generate would number after it)")
    func strayFileRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stray-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("CREATE TABLE a (x String);\n".utf8).write(to: URL(fileURLWithPath: directory + "/0001_initial.sql"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/schema.lock.json"))
        #expect(try MigrationFile.load(directory: directory).map(\.name) == ["0001_initial.sql"])
        try Data("SELECT 1;\n".utf8).write(to: URL(fileURLWithPath: directory + "/005_backfill.sql"))
        #expect {
            _ = try MigrationFile.load(directory: directory)
        } throws: { error in
            "\(error)".contains("005_backfill.sql")
        }
    }

    @Test("a file's checksum is the SHA-256 of its bytes and its statements come from the splitter")
    func fileContents() {
        let text = "CREATE TABLE a (x String);\n\nCREATE TABLE b (y String);\n"
        #expect(first.checksum == SHA256.hexDigest(Array(text.utf8)))
        #expect(first.statements == ["CREATE TABLE a (x String)", "CREATE TABLE b (y String)"])
        // One changed byte changes the checksum.
        #expect(Self.file("0001_initial.sql", text + " ").checksum != first.checksum)
    }

    @Test("an empty ledger makes every file pending, in name order")
    func fresh() {
        let plan = MigrationRunPlan(files: [second, first], ledger: [])
        #expect(plan.migrations.map(\.name) == ["0001_initial.sql", "0002_more.sql"])
        #expect(plan.migrations.map(\.state) == [.pending, .pending])
        #expect(plan.toApply.map(\.statementsToRun) == [2, 1])
        #expect(!plan.isUpToDate)
    }

    @Test("fully applied files with equal checksums are up to date")
    func upToDate() throws {
        let ledger = [first, second].map {
            MigrationLedgerEntry(name: $0.name, checksum: $0.checksum, statementsApplied: $0.statements.count, statementsTotal: $0.statements.count)
        }
        let plan = MigrationRunPlan(files: [first, second], ledger: ledger)
        #expect(plan.isUpToDate)
        #expect(plan.migrations.map(\.state) == [.applied, .applied])
        try plan.checkNoneModified()
    }

    @Test("a file whose first statement failed (recorded 0 of N, ClickHouse) may be fixed in place; one with a statement applied may not")
    func fixedAfterFirstStatementFailed() throws {
        let fixed = Self.file(first.name, "CREATE TABLE a (x String);\n\nCREATE TABLE b (y String, fixed UInt8);\n")
        let startedOnly = [MigrationLedgerEntry(name: first.name, checksum: "checksum-of-the-broken-text", statementsApplied: 0, statementsTotal: 2)]
        let plan = MigrationRunPlan(files: [fixed], ledger: startedOnly)
        // Before: `.modified` for good, though nothing of the old text ran.
        #expect(plan.migrations.map(\.state) == [.pending])
        #expect(plan.toApply.map(\.statementsToRun) == [2])
        try plan.checkNoneModified()
        let oneRan = [MigrationLedgerEntry(name: first.name, checksum: "checksum-of-the-broken-text", statementsApplied: 1, statementsTotal: 2)]
        #expect(MigrationRunPlan(files: [fixed], ledger: oneRan).migrations.map(\.state) == [.modified])
    }

    @Test("an interrupted file resumes after its recorded statement count")
    func partial() {
        let ledger = [MigrationLedgerEntry(name: first.name, checksum: first.checksum, statementsApplied: 1, statementsTotal: 2)]
        let plan = MigrationRunPlan(files: [first, second], ledger: ledger)
        #expect(plan.migrations.map(\.state) == [.partial(statementsApplied: 1), .pending])
        #expect(plan.toApply.map(\.name) == ["0001_initial.sql", "0002_more.sql"])
        #expect(plan.toApply.map(\.statementsToRun) == [1, 1])
    }

    @Test("an edited applied file is refused, naming it")
    func modified() {
        let ledger = [MigrationLedgerEntry(name: first.name, checksum: String(repeating: "0", count: 64), statementsApplied: 2, statementsTotal: 2)]
        let plan = MigrationRunPlan(files: [first, second], ledger: ledger)
        #expect(plan.migrations.first?.state == .modified)
        #expect(plan.modified.map(\.name) == ["0001_initial.sql"])
        let error = #expect(throws: MigrationError.self) { try plan.checkNoneModified() }
        #expect(error?.code == .modified)
        #expect(error?.file == "0001_initial.sql")
        #expect(error?.description.contains("0001_initial.sql") == true)
    }

    @Test("a partly applied file that was edited is modified too, not resumed")
    func partialModified() {
        let ledger = [MigrationLedgerEntry(name: first.name, checksum: "other", statementsApplied: 1, statementsTotal: 2)]
        let plan = MigrationRunPlan(files: [first], ledger: ledger)
        #expect(plan.migrations.map(\.state) == [.modified])
        #expect(plan.toApply.isEmpty)
    }

    @Test("a ledger row without its file is reported as missing and not applied")
    func missing() {
        let ledger = [MigrationLedgerEntry(name: "0000_gone.sql", checksum: "x", statementsApplied: 3, statementsTotal: 3)]
        let plan = MigrationRunPlan(files: [first], ledger: ledger)
        #expect(plan.migrations.map(\.name) == ["0000_gone.sql", "0001_initial.sql"])
        #expect(plan.migrations.map(\.state) == [.missingFile, .pending])
        #expect(plan.migrations.first?.statementCount == 3)
        #expect(plan.toApply.map(\.name) == ["0001_initial.sql"])
    }
}
