import LibPQ

extension PostgresProjectionStore {
    public func quarantined(projection: String, tenant: String?, afterSequence: UInt64, limit: Int) async throws -> [QuarantinedFact] {
        try await withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT stream_sequence, subject, fact_id, fact_type, tenant_id, reason, raw, headers::text
                FROM _projection_quarantine
                WHERE projection = $1 AND stream_sequence > $2 AND ($3::text IS NULL OR tenant_id = $3::text)
                ORDER BY stream_sequence LIMIT $4
                """,
                [.text(projection), .int64(Int64(clamping: afterSequence)), tenant.map(PostgresValue.text) ?? .null, .int64(Int64(limit))])
            return try rows.map { row in
                guard let sequence = row.int64(at: 0), let raw = row.bytes(at: 6) else {
                    throw StoreError(code: .unexpectedResponse, detail: "unreadable quarantine row")
                }
                return QuarantinedFact(sequence: UInt64(sequence), subject: row[1] ?? "", factID: row[2] ?? "", factType: row[3] ?? "",
                                       tenant: row[4] ?? "", reason: row[5] ?? "", raw: raw, headersJSON: row[7] ?? "{}")
            }
        }
    }

    public func removeQuarantined(projection: String, sequences: [UInt64]) async throws {
        guard !sequences.isEmpty else { return }
        var literal = PostgresArrayLiteral()
        for s in sequences { literal.appendBare(String(s)) }
        try await withConnection { connection in
            try await connection.query(
                "DELETE FROM _projection_quarantine WHERE projection = $1 AND stream_sequence = ANY($2::bigint[])",
                [.text(projection), .text(literal.literal)])
        }
    }
}
