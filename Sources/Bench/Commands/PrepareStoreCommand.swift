import ArgumentParser
import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ

/// Creates (or drops) an isolated database/schema and applies the generated migrations of
/// `sql/<store>/NNNN_*.sql` statement by statement, the way `projection-migrate apply` does.
struct PrepareStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prepare-store", abstract: "Create an empty, migrated database/schema (or drop it).")

    @OptionGroup var target: StoreTarget

    @Option(help: "Directory holding <store>/NNNN_*.sql.")
    var sqlDir: String = "sql"

    @Flag(help: "Drop the database/schema instead.")
    var drop = false

    func run() async throws {
        let statements = drop ? [] : try Self.migrationStatements(sqlDir: sqlDir, kind: target.kind)
        let start = ContinuousClock.now
        switch target.kind {
        case .clickhouse:
            let admin = try ClickHouseClient(dsn: target.dsn)
            if drop {
                try await admin.execute("DROP DATABASE IF EXISTS \(target.name)")
            } else {
                try await admin.execute("CREATE DATABASE IF NOT EXISTS \(target.name)")
                let client = try ClickHouseClient(dsn: target.isolatedDSN)
                for statement in statements { try await client.execute(statement) }
            }
        case .postgres:
            let admin = try await PostgresConnection.connect(dsn: target.dsn)
            defer { admin.close() }
            if drop {
                try await admin.execute("DROP SCHEMA IF EXISTS \(target.name) CASCADE")
            } else {
                try await admin.execute("CREATE SCHEMA IF NOT EXISTS \(target.name)")
                let connection = try await PostgresConnection.connect(dsn: target.isolatedDSN)
                defer { connection.close() }
                for statement in statements { try await connection.execute(statement) }
            }
        }
        try ResultOutput.emit(["name": target.name, "statements": statements.count, "seconds": (ContinuousClock.now - start).seconds])
    }

    /// Statements end with `;` at the end of a line; `--` lines are comments.
    static func migrationStatements(sqlDir: String, kind: StoreKind) throws -> [String] {
        let dir = "\(sqlDir)/\(kind.rawValue)"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { $0.hasSuffix(".sql") && $0.first?.isNumber == true }.sorted()
        guard !files.isEmpty else { throw BenchError(.invalidArgument, operation: "prepare-store", "no migrations in \(dir)") }
        var statements: [String] = []
        for file in files {
            var current = ""
            for line in try String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("--") { continue }
                current += line + "\n"
                if line.hasSuffix(";") {
                    let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                    if statement.count > 1 { statements.append(String(statement.dropLast())) }
                    current = ""
                }
            }
        }
        return statements
    }
}
