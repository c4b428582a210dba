import ClickHouseHTTP
import Foundation
import Columnstore

extension ClickHouseProjectionStore {
    public func quarantined(projection: String, partition: Int?, tenant: String?, after: QuarantineKey?, limit: Int) async throws -> [QuarantinedFact] {
        var parameters = ["p": projection, "limit": String(limit)]
        var conditions = ["projection = {p:String}"]
        if let after {
            parameters["after"] = String(after.sequence)
            parameters["afterPartition"] = String(after.partition)
            // The plain bound lets the sort key skip what the tuple comparison would only filter.
            conditions.append("stream_sequence >= {after:UInt64}")
            conditions.append("(stream_sequence, partition) > ({after:UInt64}, {afterPartition:UInt32})")
        }
        if let partition {
            parameters["n"] = String(partition)
            conditions.append("partition = {n:UInt32}")
        }
        if let tenant {
            parameters["t"] = tenant
            conditions.append("tenant_id = {t:String}")
        }
        // The raw message may be any bytes: it travels as hex so JSON cannot mangle it.
        let response = try await client.query(
            """
            SELECT toString(stream_sequence) AS seq, toString(partition) AS part, subject, fact_id, fact_type, tenant_id, reason,
                   hex(raw) AS raw_hex, headers
            FROM _projection_quarantine FINAL
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY stream_sequence, partition LIMIT {limit:UInt32}
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
                sequence: seq, partition: part, subject: row["subject"] as? String ?? "", factID: row["fact_id"] as? String ?? "",
                factType: row["fact_type"] as? String ?? "", tenant: row["tenant_id"] as? String ?? "",
                reason: row["reason"] as? String ?? "", raw: raw, headersJSON: row["headers"] as? String ?? "{}"))
        }
        return facts
    }

    public func removeQuarantined(projection: String, keys: [QuarantineKey]) async throws {
        guard !keys.isEmpty else { return }
        let tuples = keys.map { "(\($0.partition),\($0.sequence))" }.joined(separator: ",")
        // A fact the store refused had its key recorded before the refusal (Postgres rolled its back). The
        // entry kept that key from counting; without the entry it would, and the re-driven fact (or a
        // producer's re-send after a skip) would be taken for a duplicate, which Postgres applies. So the
        // key goes first, then the entry: a crash between leaves the entry, which still excludes the key.
        // Rows of releases before internal tables version 3 have no batch and no partition: left alone.
        try await client.execute(
            """
            DELETE FROM _projection_seen_keys WHERE projection = {p:String} AND batch != ''
              AND (partition, stream_sequence) IN {k:Array(Tuple(UInt32, UInt64))}
            """,
            parameters: ["p": projection, "k": "[" + tuples + "]"])
        // A lightweight delete: the rows disappear from reads at once. A re-driven fact that is still
        // poison is quarantined again under its new sequence.
        try await client.execute(
            "DELETE FROM _projection_quarantine WHERE projection = {p:String} AND (partition, stream_sequence) IN {k:Array(Tuple(UInt32, UInt64))}",
            parameters: ["p": projection, "k": "[" + tuples + "]"])
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
