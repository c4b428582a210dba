import ClickHouseHTTP
import Foundation
import Columnstore

extension ClickHouseProjectionStore {
    public func quarantined(projection: String, consumers: Set<String>?, partition: Int?, tenant: String?, after: QuarantineKey?, limit: Int) async throws
        -> [QuarantinedFact]
    {
        var parameters = ["p": projection, "limit": String(limit), "budget": String(QuarantinePageBudget.rawBytes)]
        var conditions = ["projection = {p:String}"]
        if let after {
            parameters["after"] = String(after.sequence)
            parameters["afterPartition"] = String(after.partition)
            parameters["afterConsumer"] = after.consumer
            // The plain bound lets the sort key skip what the tuple comparison would only filter.
            conditions.append("stream_sequence >= {after:UInt64}")
            conditions.append("(stream_sequence, partition, consumer) > ({after:UInt64}, {afterPartition:UInt32}, {afterConsumer:String})")
        }
        if let consumers {
            parameters["c"] = "[" + consumers.sorted().map { "'\(Self.escapedLiteral($0))'" }.joined(separator: ",") + "]"
            conditions.append("has({c:Array(String)}, consumer)")
        }
        if let partition {
            parameters["n"] = String(partition)
            conditions.append("partition = {n:UInt32}")
        }
        if let tenant {
            parameters["t"] = tenant
            conditions.append("tenant_id = {t:String}")
        }
        // The raw message may be any bytes: it travels as hex so JSON cannot mangle it. The page stops once
        // the raw bytes before an entry reach the budget (`QuarantinePageBudget`): the page's keys are chosen
        // from the entries' lengths alone (at most `limit` of them, in key order), then only those entries'
        // messages are read.
        let response = try await client.query(
            """
            SELECT toString(stream_sequence) AS seq, toString(partition) AS part, consumer, subject, fact_id, fact_type, tenant_id, reason,
                   hex(raw) AS raw_hex, headers
            FROM _projection_quarantine FINAL
            WHERE projection = {p:String} AND (stream_sequence, partition, consumer) IN (
                SELECT stream_sequence, partition, consumer FROM (
                    SELECT stream_sequence, partition, consumer,
                           sum(len) OVER (ORDER BY stream_sequence, partition, consumer ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - len AS raw_before
                    FROM (
                        SELECT stream_sequence, partition, consumer, length(raw) AS len
                        FROM _projection_quarantine FINAL
                        WHERE \(conditions.joined(separator: " AND "))
                        ORDER BY stream_sequence, partition, consumer LIMIT {limit:UInt32}
                    )
                )
                WHERE raw_before < {budget:UInt64}
            )
            ORDER BY stream_sequence, partition, consumer
            FORMAT JSONEachRow
            """,
            parameters: parameters)
        var facts: [QuarantinedFact] = []
        for line in response.body.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let row = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let seq = (row["seq"] as? String).flatMap(UInt64.init), let part = (row["part"] as? String).flatMap(Int.init),
                  let rawHex = row["raw_hex"] as? String, let raw = Self.bytes(fromHex: rawHex)
            else { throw StoreError(code: .unexpectedResponse, detail: "unreadable quarantine row") }
            facts.append(QuarantinedFact(
                sequence: seq, partition: part, consumer: row["consumer"] as? String ?? "", subject: row["subject"] as? String ?? "",
                factID: row["fact_id"] as? String ?? "", factType: row["fact_type"] as? String ?? "", tenant: row["tenant_id"] as? String ?? "",
                reason: row["reason"] as? String ?? "", raw: raw, headersJSON: row["headers"] as? String ?? "{}"))
        }
        return facts
    }

    public func removeQuarantined(projection: String, keys: [QuarantineKey]) async throws {
        guard !keys.isEmpty else { return }
        let entries = "[" + keys.map { "(\($0.partition),\($0.sequence),'\(Self.escapedLiteral($0.consumer))')" }.joined(separator: ",") + "]"
        // A fact the store refused had its key recorded before the refusal (Postgres rolled its back). The
        // entry kept that key from counting; without the entry it would, and the re-driven fact (or a
        // producer's re-send after a skip) would be taken for a duplicate, which Postgres applies. So the
        // key goes first, then the entry: a crash between leaves the entry, which still excludes the key.
        // Only the keys the entry excluded go (`keysSeenBefore`): those at its sequence in its batch scope,
        // or, for an entry without a scope (before internal tables version 6), at its partition and sequence.
        // Rows of releases before internal tables version 3 have no batch and no partition: left alone.
        let found = try await client.query(
            """
            SELECT DISTINCT partition, stream_sequence, batch_scope FROM _projection_quarantine
            WHERE projection = {p:String} AND (partition, stream_sequence, consumer) IN {k:Array(Tuple(UInt32, UInt64, String))}
            FORMAT TabSeparated
            """,
            parameters: ["p": projection, "k": entries])
        var scoped: [String] = [], unscoped: [String] = []
        for line in found.text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, let partition = UInt32(fields[0]), let sequence = UInt64(fields[1]) else {
                throw StoreError(code: .unexpectedResponse, detail: "unreadable quarantine row")
            }
            // Scopes are durable names (letters, digits, - and _) and `/p<partition>`: nothing to unescape.
            if fields[2].isEmpty {
                unscoped.append("(\(partition),\(sequence))")
            } else {
                scoped.append("(\(sequence),'\(Self.escapedLiteral(String(fields[2])))')")
            }
        }
        if !scoped.isEmpty {
            try await client.execute(
                """
                DELETE FROM _projection_seen_keys WHERE projection = {p:String} AND batch != ''
                  AND (stream_sequence, \(Self.seenKeyScope)) IN {s:Array(Tuple(UInt64, String))}
                """,
                parameters: ["p": projection, "s": "[" + scoped.joined(separator: ",") + "]"])
        }
        if !unscoped.isEmpty {
            try await client.execute(
                """
                DELETE FROM _projection_seen_keys WHERE projection = {p:String} AND batch != ''
                  AND (partition, stream_sequence) IN {u:Array(Tuple(UInt32, UInt64))}
                """,
                parameters: ["p": projection, "u": "[" + unscoped.joined(separator: ",") + "]"])
        }
        // A lightweight delete: the rows disappear from reads at once. A re-driven fact that is still
        // poison is quarantined again under its new sequence.
        try await client.execute(
            """
            DELETE FROM _projection_quarantine
            WHERE projection = {p:String} AND (partition, stream_sequence, consumer) IN {k:Array(Tuple(UInt32, UInt64, String))}
            """,
            parameters: ["p": projection, "k": entries])
    }

    /// A string inside a single-quoted ClickHouse literal (here: in an array parameter's text).
    static func escapedLiteral(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | v); high = nil } else { high = v }
        }
        return high == nil ? bytes : nil
    }
}
