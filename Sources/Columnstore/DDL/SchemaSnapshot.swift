import Foundation

/// The schema state a store's migrations produce, stored beside them as
/// `schema.lock.json` so the next generation can diff against it.
///
/// Only what the target's DDL expresses is recorded (Postgres ignores
/// partitions, TTLs, codecs and low cardinality), so irrelevant edits never
/// produce migrations.
public struct SchemaSnapshot: Codable, Sendable, Hashable {
    /// Bumped when the snapshot layout changes. Format 2 added `internalTables`; the bump makes an older
    /// generator refuse a folder whose internal tables it does not know, rather than record them as older.
    public static let currentFormat = 2
    /// The oldest format this generator still reads.
    public static let oldestFormat = 1
    public static let fileName = "schema.lock.json"

    public var format: Int
    public var projection: String
    /// The layout version of the internal `_projection_*` tables the migrations create
    /// (`InternalTablesUpgrade`). Format-1 snapshots predate it and mean version 1.
    public var internalTables: Int
    /// Tables sorted by name.
    public var tables: [TableSnapshot]

    public init(
        format: Int = SchemaSnapshot.currentFormat, projection: String,
        internalTables: Int = InternalTablesUpgrade.currentVersion, tables: [TableSnapshot]
    ) {
        self.format = format
        self.projection = projection
        self.internalTables = internalTables
        self.tables = tables.sorted { $0.name < $1.name }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.format = try container.decode(Int.self, forKey: .format)
        self.projection = try container.decode(String.self, forKey: .projection)
        self.internalTables = try container.decodeIfPresent(Int.self, forKey: .internalTables) ?? 1
        self.tables = try container.decode([TableSnapshot].self, forKey: .tables)
    }

    /// The state `schema` has in `target`.
    public init(_ schema: ProjectionSchema, target: DDLTarget) {
        let isClickHouse = target.store == .clickhouse
        self.init(projection: schema.name, tables: schema.tables.map { table in
            TableSnapshot(
                name: table.name,
                kind: table.kind,
                columns: table.columns.map { column in
                    ColumnSnapshot(
                        name: column.name,
                        type: column.type.canonicalName,
                        nullable: column.nullable,
                        lowCardinality: isClickHouse && column.lowCardinality ? true : nil,
                        codec: isClickHouse ? column.codec : nil,
                        aggregate: column.aggregate
                    )
                },
                primaryKey: table.primaryKey,
                orderBy: table.orderBy,
                partitionBy: isClickHouse ? table.partitionBy : nil,
                ttl: isClickHouse ? table.ttl : nil,
                ttlExpression: isClickHouse ? ClickHouseDDL.ttlExpression(table) : nil,
                versionColumn: table.versionColumn
            )
        })
    }

    public func table(named name: String) -> TableSnapshot? {
        tables.first { $0.name == name }
    }

    /// Deterministic JSON: sorted keys, two-space indentation, trailing newline.
    public func encoded() throws -> String {
        String(decoding: try JSONCoding.encodePretty(self), as: UTF8.self) + "\n"
    }

    public static func decode(_ text: String) throws -> SchemaSnapshot {
        try JSONDecoder().decode(SchemaSnapshot.self, from: Data(text.utf8))
    }
}
