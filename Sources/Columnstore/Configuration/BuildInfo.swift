import Foundation

/// What a running executable is: the product version, the commit it was built from, and the schema it
/// serves. `GET /version`, `--version` and the `projection_build_info` gauge show the same values, so an
/// operator can see that ingest, query and the database agree.
public struct BuildInfo: Sendable, Codable, Hashable {
    /// The product version, raised with each release.
    public static let productVersion = "0.7.0"

    public var version: String
    /// `PROJECTION_BUILD_COMMIT`, set at image build time (the Dockerfiles pass the git commit); `unknown` else.
    public var commit: String
    public var projection: String
    /// SHA-256 (hex) of the schema lock the projection's schema gives for the store (`sql/<store>/schema.lock.json`
    /// as `projection-migrate generate` writes it): equal to `sha256sum` of that file once the database is
    /// migrated to this schema.
    public var schemaHash: String
    public var store: String

    enum CodingKeys: String, CodingKey {
        case version, commit, projection, store
        case schemaHash = "schema_hash"
    }

    public init(projection: String, schema: ProjectionSchema, store: StoreKind, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.version = Self.productVersion
        let commit = environment["PROJECTION_BUILD_COMMIT"] ?? ""
        self.commit = commit.isEmpty ? "unknown" : commit
        self.projection = projection
        self.schemaHash = Self.schemaHash(schema, store: store)
        self.store = store.environmentValue
    }

    /// SHA-256 of the schema lock text for the store (single-node layout for ClickHouse).
    public static func schemaHash(_ schema: ProjectionSchema, store: StoreKind) -> String {
        let target: DDLTarget = store == .clickhouse ? .clickhouse(cluster: nil) : .postgres
        guard let text = try? SchemaSnapshot(schema, target: target).encoded() else { return "unknown" }
        return SHA256.hexDigest(Array(text.utf8))
    }

    /// The `/version` body: one JSON object, sorted keys.
    public func json() -> Data {
        (try? JSONCoding.encode(self)) ?? Data("{}".utf8)
    }

    /// The labels of `projection_build_info`.
    public var metricDimensions: [(String, String)] {
        [("version", version), ("commit", commit), ("projection", projection), ("schema_hash", schemaHash), ("store", store)]
    }
}
