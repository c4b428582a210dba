/// A ClickHouse MergeTree-family table, ready to render as a single or cluster deployment.
struct ClickHouseTableDefinition: Sendable, Hashable {
    struct Column: Sendable, Hashable {
        var name: String
        /// Full type, e.g. `LowCardinality(String)`.
        var type: String
        /// Codec list without `CODEC(...)`.
        var codec: String?

        /// Names are backquoted: words like `projection` or `index` open clauses in a column list.
        var definition: String { "`\(name)` " + type + (codec.map { " CODEC(\($0))" } ?? "") }
    }

    var name: String
    var columns: [Column]
    /// Engine family without the `Replicated` prefix, e.g. `ReplacingMergeTree`.
    var engine: String
    /// Engine arguments after the replication path and replica, e.g. the version column.
    var engineArguments: [String] = []
    var partitionBy: String?
    var orderBy: [String]
    var ttl: String?
    /// Distributed sharding key columns; rows with the same key must meet on one shard.
    var shardingKey: [String]

    static let settings = "SETTINGS non_replicated_deduplication_window = 1000"

    /// `CREATE TABLE` statements: one table, or for a cluster the replicated
    /// `<name>_local` table plus a `Distributed` table under the plain name.
    func createStatements(cluster: String?) -> [String] {
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

    static func localName(_ name: String) -> String { name + "_local" }

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
