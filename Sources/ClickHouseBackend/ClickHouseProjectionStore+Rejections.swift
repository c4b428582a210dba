import ClickHouseHTTP
import Columnstore

extension ClickHouseProjectionStore {
    /// ClickHouse exception codes that mean "this data cannot be stored": retrying the same rows fails
    /// the same way. CANNOT_PARSE_TEXT, CANNOT_PARSE_INPUT_ASSERTION_FAILED, CANNOT_PARSE_DATE,
    /// CANNOT_PARSE_DATETIME, TYPE_MISMATCH, ARGUMENT_OUT_OF_BOUND, CANNOT_CONVERT_TYPE,
    /// CANNOT_PARSE_NUMBER, INCORRECT_DATA, TOO_LARGE_STRING_SIZE, VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE,
    /// DECIMAL_OVERFLOW, VIOLATED_CONSTRAINT.
    static let dataErrorCodes: Set<Int> = [6, 27, 38, 41, 53, 69, 70, 72, 117, 131, 321, 407, 469]

    /// A refusal for a data reason becomes `StoreError.dataRejected`; anything else is kept as is.
    static func classified(_ error: ClickHouseError) -> any Error {
        guard error.code == .server, let code = error.serverCode, dataErrorCodes.contains(code) else { return error }
        return StoreError(code: .dataRejected, detail: "ClickHouse refused the batch (code \(code)): \(error.message)")
    }

    /// Parses and converts the batch's rows exactly as `insertRows` would, into the `null` table
    /// function: ClickHouse checks every value against the column types and stores nothing.
    ///
    /// The facts `insertRows` skips as applied by another batch are skipped here too (the refused step
    /// recorded the batch's keys before it was refused): a probe that folded them would answer for other
    /// rows than the write's, and with stored totals at stake a re-sent fact could hide the culprit (the
    /// isolation then finds nothing and the batch is retried for ever) or be quarantined in its place.
    public func probe(_ payload: BatchPayload) async throws {
        let facts = payload.withoutInBatchDuplicates().facts
        let seenBefore: Set<IdempotencyKey>
        do {
            seenBefore = facts.isEmpty ? [] : try await keysSeenBefore(payload, scope: scope(of: payload))
        } catch let error as ClickHouseError {
            throw Self.classified(error)
        }
        var accumulator = RowAccumulator(schema: schema)
        for fact in facts where !seenBefore.contains(IdempotencyKey(fact)) { try accumulator.add(fact) }
        // The totals recorded before the batch's intent (its rows may have landed since).
        try (recordedSumGuard(payload) ?? .none).check(accumulator)
        for (table, _, rows) in accumulator.rowsByTable where !rows.isEmpty {
            let structure = ClickHouseDDL.definition(of: table).columns
                .map { "`\($0.name)` \($0.type)" }
                .joined(separator: ", ")
                .replacingOccurrences(of: "'", with: "\\'")
            let columns = table.columns.map { "`\($0.name)`" }.joined(separator: ", ")
            do {
                try await client.insert(
                    "INSERT INTO FUNCTION null('\(structure)') (\(columns)) FORMAT RowBinary",
                    body: .bytes(try Self.rowBinary(rows, of: table)),
                    settings: ["max_partitions_per_insert_block": "0"])
            } catch let error as ClickHouseError {
                throw Self.classified(error)
            }
        }
    }
}
