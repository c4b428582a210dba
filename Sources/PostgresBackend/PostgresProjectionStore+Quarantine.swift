import LibPQ
import Columnstore

extension PostgresProjectionStore {
    public func quarantined(projection: String, consumers: Set<String>?, partition: Int?, tenant: String?, after: QuarantineKey?, limit: Int) async throws -> [QuarantinedFact] {
        try await withConnection { connection in
            // The row comparison pages along the primary key (projection, stream_sequence, partition, consumer);
            // the page stops once the raw bytes before an entry reach the budget (`QuarantinePageBudget`).
            let rows = try await connection.query(
                """
                SELECT stream_sequence, partition, subject, fact_id, fact_type, tenant_id, reason, raw, headers::text, consumer
                FROM (
                    SELECT stream_sequence, partition, subject, fact_id, fact_type, tenant_id, reason, raw, headers, consumer,
                           sum(octet_length(raw)) OVER (ORDER BY stream_sequence, partition, consumer ROWS UNBOUNDED PRECEDING)
                               - octet_length(raw) AS raw_before
                    FROM _projection_quarantine
                    WHERE projection = $1
                      AND ($2::bigint IS NULL OR (stream_sequence, partition, consumer) > ($2::bigint, $3::integer, $7::text))
                      AND ($4::integer IS NULL OR partition = $4::integer)
                      AND ($5::text IS NULL OR tenant_id = $5::text)
                      AND ($8::text[] IS NULL OR consumer = ANY($8::text[]))
                    ORDER BY stream_sequence, partition, consumer LIMIT $6
                ) page
                WHERE raw_before < $9
                ORDER BY stream_sequence, partition, consumer
                """,
                [.text(projection),
                 after.map { .int64(Int64(clamping: $0.sequence)) } ?? .null, after.map { .int64(Int64($0.partition)) } ?? .null,
                 partition.map { .int64(Int64($0)) } ?? .null, tenant.map(PostgresValue.text) ?? .null, .int64(Int64(limit)),
                 after.map { .text($0.consumer) } ?? .null, consumers.map { names in
                     var list = PostgresArrayLiteral()
                     for name in names.sorted() { list.append(name) }
                     return .text(list.literal)
                 } ?? .null, .int64(Int64(QuarantinePageBudget.rawBytes))])
            return try rows.map { row in
                guard let sequence = row.int64(at: 0), let partition = row.int64(at: 1), let raw = row.bytes(at: 7) else {
                    throw StoreError(code: .unexpectedResponse, detail: "unreadable quarantine row")
                }
                return QuarantinedFact(sequence: UInt64(sequence), partition: Int(partition), consumer: row[9] ?? "", subject: row[2] ?? "",
                                       factID: row[3] ?? "", factType: row[4] ?? "", tenant: row[5] ?? "", reason: row[6] ?? "", raw: raw,
                                       headersJSON: row[8] ?? "{}")
            }
        }
    }

    public func removeQuarantined(projection: String, keys: [QuarantineKey]) async throws {
        guard !keys.isEmpty else { return }
        var partitions = PostgresArrayLiteral(), sequences = PostgresArrayLiteral(), consumers = PostgresArrayLiteral()
        for key in keys {
            partitions.appendBare(String(key.partition))
            sequences.appendBare(String(key.sequence))
            consumers.append(key.consumer)
        }
        _ = try await withConnection { connection in
            try await connection.query(
                """
                DELETE FROM _projection_quarantine
                WHERE projection = $1
                  AND (partition, stream_sequence, consumer) IN (SELECT * FROM unnest($2::integer[], $3::bigint[], $4::text[]))
                """,
                [.text(projection), .text(partitions.literal), .text(sequences.literal), .text(consumers.literal)])
        }
    }
}
