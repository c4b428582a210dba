import Columnstore
import Foundation
import JetStream

/// Readers of the `evo` projection's tables (`EvolutionProjection`) as text rows comparable with
/// `EvolutionFacts`: timestamps as epoch milliseconds, NULL as `EvolutionFacts.null`, aggregates merged.
extension MigrationSandbox {
    /// `views` with the columns of projection `version`, sorted.
    func evolutionViews(version: Int) async throws -> [[String]] {
        let clickhouse = kind == .clickhouse
        var columns = ["tenant_id", "view_id", millis("viewed_at"), "item_id"]
        if version < 4 { columns.append(orNull("referrer")) }
        if version >= 2 { columns += [orNull("session_id"), clickhouse ? "toString(position)" : "position::text"] }
        return try await rows("SELECT \(columns.joined(separator: ", ")) FROM views").sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `item_totals` merged per key: (tenant, item, views[, purchases, revenue_cents]), sorted. From v4 on,
    /// revenue_cents is a nullable MAX.
    func evolutionItemTotals(version: Int) async throws -> [[String]] {
        let sums = version >= 2 ? (version >= 4 ? ["views", "purchases"] : ["views", "purchases", "revenue_cents"]) : ["views"]
        var measures = kind == .clickhouse ? sums.map { "toString(sum(\($0)))" } : sums.map { "\($0)::text" }
        if version >= 4 {
            measures.append(kind == .clickhouse ? orNull("toString(max(revenue_cents))") : orNull("revenue_cents::text"))
        }
        let sql = kind == .clickhouse
            ? "SELECT tenant_id, item_id, \(measures.joined(separator: ", ")) FROM item_totals GROUP BY tenant_id, item_id"
            : "SELECT tenant_id, item_id, \(measures.joined(separator: ", ")) FROM item_totals"
        return try await rows(sql).sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `purchases`: (tenant, purchase id, item, amount, ms), sorted.
    func evolutionPurchases() async throws -> [[String]] {
        let amount = kind == .clickhouse ? "toString(amount_cents)" : "amount_cents::text"
        return try await rows("SELECT tenant_id, purchase_id, item_id, \(amount), \(millis("purchased_at")) FROM purchases")
            .sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The tables of the sandbox, without the internal `_projection_*` ones.
    func projectedTables() async throws -> Set<String> {
        let names = try await rows(kind == .clickhouse
            ? "SELECT name FROM system.tables WHERE database = currentDatabase()"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        return Set(names.map { $0[0] }.filter { !$0.hasPrefix("_projection") })
    }

    /// The live table's columns, in order.
    func columnNames(_ table: String) async throws -> [String] {
        try await rows(kind == .clickhouse
            ? "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = '\(table)' ORDER BY position"
            : "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '\(table)' ORDER BY ordinal_position"
        ).map { $0[0] }
    }

    private func millis(_ column: String) -> String {
        kind == .clickhouse ? "toString(toUnixTimestamp64Milli(\(column)))" : "(extract(epoch FROM \(column)) * 1000)::bigint::text"
    }

    private func orNull(_ column: String) -> String {
        kind == .clickhouse ? "ifNull(\(column), '\(EvolutionFacts.null)')" : "coalesce(\(column), '\(EvolutionFacts.null)')"
    }

    /// Publishes `messages` to `stream` (created when missing), with `Nats-Msg-Id` like a real producer.
    static func publish(_ messages: [FactCorpus.Message], stream: String, subjects: [String]) async throws {
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-evolution")
        let js = try connection.jetStream()
        try await js.ensureStream(name: stream, subjects: subjects, storage: .file)
        try await js.publishAsync(messages.map { OutboundMessage(subject: $0.subject, data: $0.body, headers: $0.headers, messageID: $0.messageID) })
        try await js.publishAsyncComplete(timeout: .seconds(60))
        await connection.close()
    }
}
