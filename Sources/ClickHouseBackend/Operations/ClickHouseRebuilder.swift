import ClickHouseHTTP
import Columnstore

/// Rebuild and cutover on one ClickHouse server. Each table is swapped with `EXCHANGE TABLES`, which is
/// atomic per table, so a table never holds rows of two generations. ClickHouse has no multi-statement
/// transactions, so across tables the swap is a quick sequence (a query joining two tables could, for a
/// moment, see one of each generation), and the internal rows are moved before the tables.
/// Cluster deployments (`ON CLUSTER`, Distributed tables) are not handled here yet.
public final class ClickHouseRebuilder: ProjectionRebuilder {
    let client: ClickHouseClient
    let schema: ProjectionSchema

    /// Internal tables and their columns after `projection` (the namespace column).
    static let internalTables: [(name: String, columns: [String])] = [
        ("_projection_checkpoints", ["consumer", "partition", "first_sequence", "last_sequence", "state", "lease_epoch", "version", "updated_at",
                                     "batch_scope", "sum_guard"]),
        ("_projection_seen_keys", ["fact_type", "tenant_id", "idempotency_key", "stream_sequence", "seen_at", "batch", "partition"]),
        ("_projection_quarantine", ["stream_sequence", "partition", "subject", "fact_id", "fact_type", "tenant_id", "reason", "raw", "headers", "quarantined_at",
                                    "consumer", "batch_scope"]),
    ]

    /// Called at each fault point of a swap (before and after each step, and between the parts of a
    /// table's step), named: tests throw there to stop a swap part-way. A no-op otherwise.
    let faultPoint: @Sendable (String) throws -> Void
    /// Pauses before each retry of a swap that failed part-way, from its journal (a lost connection or a
    /// timed-out statement mostly heals within them); then it is reported as `cutover_interrupted`.
    let finishRetries: [Duration]

    public convenience init(client: ClickHouseClient, schema: ProjectionSchema) {
        self.init(client: client, schema: schema, faultPoint: { _ in })
    }

    init(client: ClickHouseClient, schema: ProjectionSchema, faultPoint: @escaping @Sendable (String) throws -> Void,
         finishRetries: [Duration] = [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16)]) {
        self.client = client
        self.schema = schema
        self.faultPoint = faultPoint
        self.finishRetries = finishRetries
    }

    /// The rebuilder's client: a cutover copies whole namespaces and tenants, which can take minutes, and a
    /// statement the client gave up on would go on running on the server and land after the step's retry
    /// (a second copy of the rows). So the server stops every statement (`max_execution_time`) a minute
    /// before the client stops waiting: a timed-out statement is over when its error arrives.
    public static let clientConfiguration = ClickHouseClient.Configuration(
        requestTimeout: statementTimeout + .seconds(60), settings: ["max_execution_time": String(statementTimeout.components.seconds)])
    public static let statementTimeout: Duration = .seconds(3600)

    public func prepare(_ generation: RebuildGeneration, fromSequence: UInt64) async throws {
        // An unfinished cutover may still copy from the shadow tables and the rebuild namespace this clears.
        if let journal = try await journal(of: generation.live.projection), !journal.isDone { throw Self.unfinished(journal) }
        let shadow = schema.withTableSuffix(RebuildGeneration.rebuildSuffix)
        for table in shadow.tables {
            // Dropping (not truncating) also forgets the table's deduplication tokens.
            try await client.execute("DROP TABLE IF EXISTS \(table.name) SYNC")
            for statement in ClickHouseDDL(cluster: nil).statements(for: .createTable(table)) {
                try await client.execute(statement)
            }
        }
        let rebuild = generation.rebuild
        for table in Self.internalTables {
            try await deleteNamespace(table.name, rebuild.projection)
        }
        if fromSequence > 1 {
            let last = fromSequence - 1
            try await client.execute(
                """
                INSERT INTO _projection_checkpoints (projection, consumer, partition, first_sequence, last_sequence, state, lease_epoch, version, updated_at)
                SELECT {p:String}, {c:String}, {n:UInt32}, {last:UInt64}, {last:UInt64}, 'after', 0, {v:UInt64}, now64(3)
                """,
                parameters: ["p": rebuild.projection, "c": rebuild.consumer, "n": String(rebuild.partition), "last": String(last), "v": String(2 * last + 1)],
                settings: ["insert_deduplicate": "0"])
        }
    }

    public func checkpoint(of consumer: ConsumerID) async throws -> UInt64 {
        let store = ClickHouseProjectionStore(client: client, schema: schema)
        return try await store.loadCheckpoint(consumer).committed
    }

    public func otherDurables(than generation: RebuildGeneration) async throws -> [String] {
        // Durable names hold only letters, digits, - and _ (checked by ingest): TabSeparated needs no unescaping.
        let text = try await client.query(
            """
            SELECT DISTINCT consumer, partition FROM (
                SELECT consumer, partition FROM _projection_checkpoints WHERE projection = {p:String}
                UNION ALL SELECT consumer, partition FROM _projection_quarantine WHERE projection = {p:String} AND consumer != '')
            FORMAT TabSeparated
            """,
            parameters: ["p": generation.live.projection]).text
        return generation.others(among: text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, let partition = Int(fields[1]) else { return nil }
            return (String(fields[0]), partition)
        })
    }

    func exists(_ table: String) async throws -> Bool {
        let response = try await client.query("EXISTS TABLE \(table)")
        return response.text.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    func deleteNamespace(_ table: String, _ projection: String) async throws {
        // A lightweight DELETE runs as a mutation even when nothing matches; most namespaces a swap clears
        // are empty already (nothing writes them meanwhile: the ingests are paused or held).
        let any = try await client.query("SELECT 1 FROM \(table) WHERE projection = {p:String} LIMIT 1", parameters: ["p": projection]).text
        guard !any.isEmpty else { return }
        try await client.execute("DELETE FROM \(table) WHERE projection = {p:String}", parameters: ["p": projection])
    }

    /// Copies one namespace's rows under another; for checkpoints, every partition's consumer
    /// `<durable><from suffix>` becomes `<durable><to suffix>`, and its `lease_epoch` is raised to the
    /// cutover's lease for that partition (`epochs`): the copies are the fence, since a batch compares its
    /// epoch with the consumer's highest.
    func copyNamespace(_ table: (name: String, columns: [String]), from: (projection: String, suffix: String), to: (projection: String, suffix: String), consumers: [ConsumerID], epochs: [Int: UInt64] = [:]) async throws {
        let select = table.columns.map { column in
            switch column {
            case "consumer": "transform(consumer, {fc:Array(String)}, {tc:Array(String)}, consumer)"
            case "lease_epoch" where !epochs.isEmpty: "greatest(lease_epoch, transform(toUInt64(partition), {ep:Array(UInt64)}, {ee:Array(UInt64)}, toUInt64(0)))"
            default: column
            }
        }
        let sorted = epochs.sorted { $0.key < $1.key }
        // Durable names hold only letters, digits, - and _ (checked by ingest), so they quote plainly.
        let list = { (suffix: String) in "[" + consumers.map { "'\($0.consumer + suffix)'" }.joined(separator: ",") + "]" }
        try await client.execute(
            """
            INSERT INTO \(table.name) (projection, \(table.columns.joined(separator: ", ")))
            SELECT {tp:String}, \(select.joined(separator: ", ")) FROM \(table.name) WHERE projection = {fp:String}
            """,
            parameters: ["fp": from.projection, "tp": to.projection, "fc": list(from.suffix), "tc": list(to.suffix),
                         "ep": "[" + sorted.map { String($0.key) }.joined(separator: ",") + "]", "ee": "[" + sorted.map { String($0.value) }.joined(separator: ",") + "]"],
            settings: ["insert_deduplicate": "0"])
    }

    public func close() async {}
}
