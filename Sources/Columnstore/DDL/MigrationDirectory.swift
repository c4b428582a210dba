import Foundation

/// A store's migration folder, e.g. `sql/clickhouse`: numbered `.sql` files plus `schema.lock.json`.
public struct MigrationDirectory: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// `<root>/<target.directoryName>`.
    public init(root: String, target: DDLTarget) {
        self.path = (root as NSString).appendingPathComponent(target.directoryName)
    }

    /// Names of the `.sql` files (generated and hand-written), sorted.
    public func migrationFileNames() throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".sql") }.sorted()
        } catch {
            throw MigrationGeneratorError(.io, directory: path, "cannot list the directory")
        }
    }

    /// The recorded schema state, or `nil` when there is none yet.
    public func readLock() throws -> SchemaSnapshot? {
        let lockPath = (path as NSString).appendingPathComponent(SchemaSnapshot.fileName)
        guard let data = FileManager.default.contents(atPath: lockPath) else { return nil }
        do {
            return try SchemaSnapshot.decode(String(decoding: data, as: UTF8.self))
        } catch {
            throw MigrationGeneratorError(.invalidLock, directory: path, "\(SchemaSnapshot.fileName) is not a valid schema snapshot")
        }
    }

    /// Writes the plan's files. Existing migrations are never overwritten.
    public func write(_ plan: MigrationPlan) throws {
        guard !plan.isUpToDate else { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw MigrationGeneratorError(.io, directory: path, "cannot create the directory")
        }
        if let migration = plan.migration {
            let filePath = (path as NSString).appendingPathComponent(migration.name)
            guard !FileManager.default.fileExists(atPath: filePath) else {
                throw MigrationGeneratorError(.io, directory: path, "\(migration.name) already exists; migrations are never overwritten")
            }
            try write(migration.contents, to: filePath)
        }
        if let lock = plan.lock {
            try write(lock.contents, to: (path as NSString).appendingPathComponent(lock.name))
        }
    }

    private func write(_ contents: String, to filePath: String) throws {
        do {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: filePath), options: .atomic)
        } catch {
            throw MigrationGeneratorError(.io, directory: path, "cannot write \((filePath as NSString).lastPathComponent)")
        }
    }
}
