/// A ClickHouse MergeTree-family table, ready to render as a single or cluster deployment.
package struct ClickHouseTableDefinition: Sendable, Hashable {
    package struct Column: Sendable, Hashable {
        package var name: String
        /// Full type, e.g. `LowCardinality(String)`.
        package var type: String
        /// Codec list without `CODEC(...)`.
        package var codec: String?

        /// Names are backquoted: words like `projection` or `index` open clauses in a column list.
        package var definition: String { "`\(name)` " + type + (codec.map { " CODEC(\($0))" } ?? "") }
    }

    package var name: String
    package var columns: [Column]
    /// Engine family without the `Replicated` prefix, e.g. `ReplacingMergeTree`.
    package var engine: String
    /// Engine arguments after the replication path and replica, e.g. the version column.
    package var engineArguments: [String] = []
    package var partitionBy: String?
    package var orderBy: [String]
    package var ttl: String?
    /// Distributed sharding key columns; rows with the same key must meet on one shard.
    package var shardingKey: [String]

    package static let settings = "SETTINGS non_replicated_deduplication_window = 1000"

    /// `CREATE TABLE` statements: one table, or for a cluster the replicated
    /// `<name>_local` table plus a `Distributed` table under the plain name.
    package func createStatements(cluster: String?) -> [String] {
        guard let cluster else { return [create(name: name, engine: "\(engine)\(arguments(engineArguments))", onCluster: nil)] }
        let local = Self.localName(name)
        let path = "'/clickhouse/tables/{shard}/{database}/\(local)'"
        let replicated = "Replicated\(engine)\(arguments([path, "'{replica}'"] + engineArguments))"
        let sharding = shardingKey.isEmpty ? "rand()" : "cityHash64(\(shardingKey.joined(separator: ", ")))"
        return [
            create(name: local, engine: replicated, onCluster: cluster),
            "CREATE TABLE IF NOT EXISTS \(name) ON CLUSTER \(cluster) AS \(local)\n"
                + "ENGINE = Distributed(\(cluster), currentDatabase(), \(local), \(sharding));",
        ]
    }

    package static func localName(_ name: String) -> String { name + "_local" }

    private func arguments(_ values: [String]) -> String {
        values.isEmpty ? "" : "(" + values.joined(separator: ", ") + ")"
    }

    private func create(name: String, engine: String, onCluster cluster: String?) -> String {
        var lines = ["CREATE TABLE IF NOT EXISTS \(name)" + (cluster.map { " ON CLUSTER \($0)" } ?? ""), "("]
        lines += columns.enumerated().map { i, column in
            "    " + column.definition + (i < columns.count - 1 ? "," : "")
        }
        lines.append(")")
        lines.append("ENGINE = \(engine)")
        if let partitionBy { lines.append("PARTITION BY \(partitionBy)") }
        lines.append("ORDER BY " + (orderBy.isEmpty ? "tuple()" : "(\(orderBy.joined(separator: ", ")))"))
        if let ttl { lines.append("TTL \(ttl)") }
        lines.append(Self.settings + ";")
        return lines.joined(separator: "\n")
    }
}
