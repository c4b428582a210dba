import Foundation

/// The schema state a store's migrations produce, stored beside them as
/// `schema.lock.json` so the next generation can diff against it.
///
/// Only what the target's DDL expresses is recorded (Postgres ignores
/// partitions, TTLs, codecs and low cardinality), so irrelevant edits never
/// produce migrations.
public struct SchemaSnapshot: Codable, Sendable, Hashable {
    /// Bumped when the snapshot layout changes.
    public static let currentFormat = 1
    public static let fileName = "schema.lock.json"

    public var format: Int
    public var projection: String
    /// Tables sorted by name.
    public var tables: [TableSnapshot]

    public init(format: Int = SchemaSnapshot.currentFormat, projection: String, tables: [TableSnapshot]) {
        self.format = format
        self.projection = projection
        self.tables = tables.sorted { $0.name < $1.name }
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
                versionColumn: table.versionColumn
            )
        })
    }

    public func table(named name: String) -> TableSnapshot? {
        tables.first { $0.name == name }
    }

    /// Deterministic JSON: sorted keys, two-space indentation, trailing newline.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public static func decode(_ text: String) throws -> SchemaSnapshot {
        try JSONDecoder().decode(SchemaSnapshot.self, from: Data(text.utf8))
    }
}
