import ClickHouseHTTP
import Columnstore

/// Reading the stored totals a batch's SUM measures start from (`SumGuard`, docs/DESIGN.md "Store
/// rejections"): one query per aggregate table with SUM measures that the batch touches.
extension ClickHouseProjectionStore {
    /// The guard `payload` is checked against: the one recorded for its range (by this process before the
    /// intent, or read back with a pending intent), else read now. Read only before a batch's intent,
    /// when none of its rows can have landed.
    func sumGuard(for payload: BatchPayload) async throws -> SumGuard {
        if let known = recordedSumGuard(payload) { return known }
        var entries: [SumGuard.Entry] = []
        for exposure in SumGuard.exposure(of: payload.facts, schema: schema) where !exposure.keys.isEmpty {
            entries += try SumGuard.entries(for: exposure, totals: try await storedTotals(exposure))
        }
        let guarded = SumGuard(entries: entries)
        sumGuards.withLock { $0[payload.consumer] = (payload.range, guarded) }
        return guarded
    }

    /// The guard recorded for `payload`'s range, if any. A range inside the recorded one counts too: a
    /// pending batch re-formed without a tail that left the stream holds a subset of its facts, which
    /// stay within the recorded bounds, while its landed rows would spoil a fresh read.
    func recordedSumGuard(_ payload: BatchPayload) -> SumGuard? {
        sumGuards.withLock { entry in
            guard let known = entry[payload.consumer], known.range.first <= payload.range.first,
                  payload.range.last <= known.range.last else { return nil }
            return known.guard
        }
    }

    /// The stored totals of `exposure`'s keys, per key and SUM column (0 for a key without rows). The
    /// keys travel in the statement as RowBinary (the bytes the rows are inserted with), so every key
    /// column type compares exactly as stored, and the key's index comes back with its totals. The
    /// statement's own names start with `#`, which no column name can (proto field names).
    func storedTotals(_ exposure: SumGuard.Exposure) async throws -> [[String]] {
        let table = exposure.table
        let definitions = ClickHouseDDL.definition(of: table).columns
        let keyColumns = exposure.keyColumns.map { table.columns[$0] }
        var w = RowBinaryWriter(reservingCapacity: exposure.keys.count * 24)
        for (index, key) in exposure.keys.enumerated() {
            w.writeUInt32(UInt32(index))
            for (value, column) in zip(key.values, keyColumns) {
                try Self.write(value, type: column.type, nullable: false, into: &w) { column.name }
            }
        }
        var structureColumns = ["`#i` UInt32"]
        for column in keyColumns {
            guard let definition = definitions.first(where: { $0.name == column.name }) else {
                throw StoreError(code: .schemaMismatch, detail: "key column \(column.name) of \(table.name) has no ClickHouse definition")
            }
            structureColumns.append("`\(column.name)` \(definition.type)")
        }
        let structure = structureColumns.joined(separator: ", ")
        let keys = keyColumns.map { "`\($0.name)`" }.joined(separator: ", ")
        let sums = exposure.sumColumns.enumerated().map { slot, index -> String in
            let column = table.columns[index]
            // Summed in the column's own type, wrapping, then widened: parts a merge stored wrapped (deltas
            // of both signs near a bound) add up exactly so, as every true total lies in the domain.
            let name = "`\(column.name)`"
            let total: String
            switch column.type {
            case .decimal(_, let scale): total = "toDecimal128(sumWithOverflow(\(name)), \(scale))"
            case .float64: total = "sum(toFloat64(\(name)))"
            case .int32: total = "toInt128(sumWithOverflow(\(name)))"
            default: total = "toInt128(sum(\(name)))"
            }
            return "\(total) AS `#t\(slot)`"
        }.joined(separator: ", ")
        let totals = exposure.sumColumns.indices.map { "toString(`#s`.`#t\($0)`)" }.joined(separator: ", ")
        let join = keyColumns.map { "`#keys`.`\($0.name)` = `#s`.`\($0.name)`" }.joined(separator: " AND ")
        let sql = """
            WITH `#keys` AS (SELECT * FROM format(RowBinary, \(Self.literal(Array(structure.utf8))), \(Self.literal(w.take()))))
            SELECT `#keys`.`#i`, \(totals)
            FROM `#keys` LEFT JOIN (
                SELECT \(keys), \(sums) FROM `\(table.name)`
                WHERE (\(keys)) IN (SELECT \(keys) FROM `#keys`)
                GROUP BY \(keys)
            ) AS `#s` ON \(join)
            ORDER BY `#keys`.`#i`
            FORMAT TabSeparated
            """
        // A key without rows reads 0, the total it starts from.
        let response = try await client.query(
            sql, settings: ["join_use_nulls": "0"].merging(Self.querySizeSetting(forStatementBytes: sql.utf8.count + 4096)) { a, _ in a })
        var result = Array(repeating: [String](), count: exposure.keys.count)
        for line in response.body.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == exposure.sumColumns.count + 1, let index = Int(fields[0]), result.indices.contains(index) else {
                throw StoreError(code: .unexpectedResponse, detail: "unreadable stored totals of \(table.name)")
            }
            result[index] = Array(fields.dropFirst())
        }
        guard result.allSatisfy({ $0.count == exposure.sumColumns.count }) else {
            throw StoreError(code: .unexpectedResponse, detail: "stored totals of \(table.name) are missing keys")
        }
        return result
    }

    /// `max_query_size` for a statement of `bytes`, only when the server's default (256 KiB) is too small:
    /// a profile may forbid changing it, and then every statement that sent it would fail for ever.
    static func querySizeSetting(forStatementBytes bytes: Int) -> [String: String] {
        bytes > 262_144 ? ["max_query_size": String(bytes)] : [:]
    }

    /// A ClickHouse string literal of any bytes: printable ASCII as is (but `'` and `\`), the rest as
    /// `\xHH`, so the statement stays ASCII whatever the keys hold.
    static func literal(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "'")]
        out.reserveCapacity(bytes.count * 2 + 2)
        for byte in bytes {
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "'"), byte != UInt8(ascii: "\\") {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
        }
        out.append(UInt8(ascii: "'"))
        return String(decoding: out, as: UTF8.self)
    }
}
