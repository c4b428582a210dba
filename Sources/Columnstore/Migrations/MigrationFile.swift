import Foundation

/// One numbered migration file of `sql/<store>/` (generated or hand-written), as `apply` runs it.
public struct MigrationFile: Sendable, Hashable {
    /// The file name, e.g. `0001_initial.sql`; the ledger's key.
    public var name: String
    /// SHA-256 of the file's bytes, lower-case hex.
    public var checksum: String
    /// The statements in order, split by `MigrationScript.statements(in:)`.
    public var statements: [String]

    public init(name: String, checksum: String, statements: [String]) {
        self.name = name
        self.checksum = checksum
        self.statements = statements
    }

    /// A file from its name and raw bytes.
    public init(name: String, bytes: [UInt8]) {
        self.init(
            name: name,
            checksum: SHA256.hexDigest(bytes),
            statements: MigrationScript.statements(in: String(decoding: bytes, as: UTF8.self)))
    }

    /// Whether `name` is a migration: `NNNN_<anything>.sql` (four or more digits). Other files in the
    /// folder (`schema.lock.json`, `queries/`, notes) are not.
    public static func isMigrationName(_ name: String) -> Bool {
        guard name.hasSuffix(".sql"), let underscore = name.firstIndex(of: "_") else { return false }
        let number = name[..<underscore]
        return number.count >= 4 && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Every migration in `directory`, in file-name order.
    ///
    /// - Throws: `MigrationError` with code `.files` when the folder or a file cannot be read.
    public static func load(directory: String) throws -> [MigrationFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MigrationError(.files, "no migration folder at \(directory)")
        }
        let all: [String]
        do {
            all = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError(.files, "cannot list \(directory)")
        }
        // A `.sql` file that is not `NNNN_name.sql` (`005_backfill.sql`, `0005-backfill.sql`) would never be
        // applied while `generate` numbers after it: refuse it rather than skip it silently.
        if let stray = all.filter({ $0.hasSuffix(".sql") && !isMigrationName($0) }).sorted().first {
            throw MigrationError(.files, file: stray, "is not named NNNN_name.sql (four or more digits, then '_'), so it would never be applied; rename it or move it out of \(directory)")
        }
        let names = all.filter(isMigrationName).sorted()
        return try names.map { name in
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MigrationError(.files, file: name, "cannot read \(path)")
            }
            return MigrationFile(name: name, bytes: Array(data))
        }
    }
}
