import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ

/// An empty ClickHouse database or Postgres schema plus a temporary `--sql-dir`, for one test of
/// `projection-migrate`. Unlike `StoreFixture` it applies nothing: the migrate job under test does.
struct MigrationSandbox {
    let kind: StoreKind
    let name: String
    /// A DSN scoped to the sandbox's database / schema.
    let dsn: String
    /// The `--sql-dir` root; migrations live in `<sqlRoot>/<kind.rawValue>`.
    let sqlRoot: URL

    var migrationDirectory: URL { sqlRoot.appendingPathComponent(kind.rawValue) }

    /// The settings a deployment would give the job.
    var environment: [String: String] {
        ["PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": dsn]
    }

    /// An empty store and a copy of the repository's `sql/<store>` migrations (only `NNNN_*.sql`).
    static func make(_ kind: StoreKind, files: [String: String]? = nil) async throws -> MigrationSandbox {
        let name = DevStack.uniqueName("mig")
        let dsn: String
        switch kind {
        case .clickhouse:
            let admin = try ClickHouseClient(dsn: DevStack.clickhouseDSN)
            try await admin.execute("CREATE DATABASE \(name)")
            var components = URLComponents(string: DevStack.clickhouseDSN)!
            components.path = "/\(name)"
            dsn = components.string!
        case .postgres:
            let admin = try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
            defer { admin.close() }
            try await admin.execute("CREATE SCHEMA \(name)")
            let separator = DevStack.postgresDSN.contains("?") ? "&" : "?"
            dsn = DevStack.postgresDSN + "\(separator)options=-csearch_path%3D\(name)"
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        let directory = root.appendingPathComponent(kind.rawValue)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let files {
            for (file, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(file)) }
        } else {
            let source = StoreFixture.repositoryRoot.appendingPathComponent("sql").appendingPathComponent(kind.rawValue)
            for file in try FileManager.default.contentsOfDirectory(atPath: source.path) where MigrationFile.isMigrationName(file) {
                try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: directory.appendingPathComponent(file))
            }
        }
        return MigrationSandbox(kind: kind, name: name, dsn: dsn, sqlRoot: root)
    }

    /// The migration files of the sandbox, as the job reads them.
    func files() throws -> [MigrationFile] {
        try MigrationFile.load(directory: migrationDirectory.path)
    }

    /// Runs `projection-migrate <command> --sql-dir <sandbox> <extra>` against the sandbox.
    func migrate(_ command: String, _ extra: [String] = [], environment extraEnvironment: [String: String] = [:]) async throws -> MigrateProcess.Outcome {
        try await start(command, extra, environment: extraEnvironment).wait()
    }

    func start(_ command: String, _ extra: [String] = [], environment extraEnvironment: [String: String] = [:]) throws -> MigrateProcess {
        try MigrateProcess([command, "--sql-dir", sqlRoot.path] + extra, environment: environment.merging(extraEnvironment) { _, new in new })
    }

    /// Rows as text fields (TabSeparated on ClickHouse).
    func rows(_ sql: String) async throws -> [[String]] {
        switch kind {
        case .clickhouse:
            let text = try await ClickHouseClient(dsn: dsn).query(sql + " FORMAT TabSeparated").text
            return text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        case .postgres:
            let connection = try await PostgresConnection.connect(dsn: dsn)
            defer { connection.close() }
            let result = try await connection.query(sql)
            return result.map { row in (0..<result.columns.count).map { row[$0] ?? "" } }
        }
    }

    /// The ledger as the store holds it: (file, checksum, applied, total, applied_by), one row per file.
    func ledger() async throws -> [[String]] {
        switch kind {
        case .clickhouse:
            return try await rows("""
                SELECT file_name, argMax(checksum, version), max(statements_applied), argMax(statements_total, version),
                       argMax(applied_by, version)
                FROM _projection_migrations GROUP BY file_name ORDER BY file_name
                """)
        case .postgres:
            return try await rows("SELECT file_name, checksum, statements_applied, statements_total, applied_by FROM _projection_migrations ORDER BY file_name")
        }
    }

    func drop() async {
        await DevStack.dropIsolated(kind, name: name)
        try? FileManager.default.removeItem(at: sqlRoot)
    }
}

extension MigrationSandbox {
    /// Runs `body` with a fresh sandbox and drops it afterwards, also when `body` throws.
    static func with(_ kind: StoreKind, files: [String: String]? = nil, _ body: (MigrationSandbox) async throws -> Void) async throws {
        let sandbox = try await make(kind, files: files)
        do {
            try await body(sandbox)
        } catch {
            await sandbox.drop()
            throw error
        }
        await sandbox.drop()
    }
}
