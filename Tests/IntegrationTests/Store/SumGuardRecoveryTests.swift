import ClickHouseHTTP
import Columnstore
import Foundation
import StoreBackends
import Testing
@testable import ClickHouseBackend

/// A ClickHouse batch checks its SUM measures against the totals stored before it (`SumGuard`), recorded
/// in its intent. These tests drive the store's steps by hand against the real server: a batch that pushes
/// a stored total out of its domain is refused (and its probe too), and a batch whose rows landed before a
/// crash is accepted on its repeat, although the totals read again would now include its own rows.
@Suite("Sum guard on the real ClickHouse (dev stack)", .serialized)
struct SumGuardRecoveryTests {
    static let schema = ProjectionSchema(name: "sum-guard", storeKinds: [.clickhouse], bindings: [], tables: [
        TableSchema(name: "totals", kind: .aggregate, columns: [
            ColumnSchema(name: "tenant_id", type: .string, sources: []),
            ColumnSchema(name: "day", type: .date, sources: []),
            ColumnSchema(name: "total", type: .int64, aggregate: .sum, sources: []),
            ColumnSchema(name: "small", type: .int32, aggregate: .sum, sources: []),
        ], primaryKey: ["tenant_id", "day"]),
    ])
    static let consumer = ConsumerID(projection: "sum-guard", consumer: "d")

    static func payload(_ first: UInt64, _ values: [(tenant: String, total: Int64, small: Int64)]) -> BatchPayload {
        let facts = values.enumerated().map { offset, v in
            MappedFact(sequence: first + UInt64(offset), factType: "t", tenant: v.tenant, idempotencyKey: "k\(first + UInt64(offset))",
                       rows: [TableRow(tableIndex: 0, values: [.string(v.tenant), .date(20_000), .int64(v.total), .int64(v.small)])])
        }
        return BatchPayload(consumer: consumer, range: SequenceRange(first: first, last: first + UInt64(values.count) - 1),
                            facts: facts, quarantined: [])
    }

    static func totals(_ client: ClickHouseClient) async throws -> [String] {
        let response = try await client.query(
            "SELECT tenant_id, toString(sum(total)), toString(sum(small)) FROM totals GROUP BY tenant_id ORDER BY tenant_id FORMAT TabSeparated")
        return response.text.split(separator: "\n").map(String.init)
    }

    static func isDataRejection(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as StoreError where error.code == .dataRejected {
            return error.detail
        } catch {
            return "unexpected: \(error)"
        }
    }

    @Test("a batch past a stored total is refused before its rows, its probe too; a repeat after its rows landed is accepted")
    func acrossBatchesAndRepeats() async throws {
        let fixture = try await ValueParityTests.fixture(.clickhouse, schema: Self.schema)
        defer { Task { await fixture.drop() } }
        let client = try ClickHouseClient(dsn: fixture.dsn)
        // A tenant name that needs escaping in the statement's key literal, and another far from any bound.
        let hostile = "t'\\\u{0}é"
        var store = ClickHouseProjectionStore(client: client, schema: Self.schema)
        _ = try await store.loadCheckpoint(Self.consumer)
        let first = Self.payload(1, [(hostile, Int64.max - 10, Int64(Int32.max) - 3), ("calm", 1, 1)])
        for step in ClickHouseProjectionStore.Guarantee.steps { _ = try await store.run(step, first) }

        // Seen-before: max-10 + 4 + 5 fits (max-1). The batch's rows land, then the process "crashes"
        // before its checkpoint.
        let second = Self.payload(3, [(hostile, 4, 1), (hostile, 5, 1), ("calm", 7, 7)])
        _ = try await store.run(.persistIntent, second)
        _ = try await store.run(.insertRows, second)
        #expect(try await Self.totals(client) == ["calm\t8\t8", "t\\'\\\\\\0é\t\(Int64.max - 1)\t\(Int32.max - 1)"])

        // A new process loads the pending batch with its recorded totals: read again, max-1 + 9 would
        // overflow and refuse a batch that was accepted. It is accepted, and its repeat adds nothing.
        store = ClickHouseProjectionStore(client: client, schema: Self.schema)
        let loaded = try await store.loadCheckpoint(Self.consumer)
        #expect(loaded.pending == second.range)
        for step in ClickHouseProjectionStore.Guarantee.steps {
            let refusal = await Self.isDataRejection { _ = try await store.run(step, second) }
            #expect(refusal == nil, "\(step): \(refusal ?? "")")
        }
        #expect(try await Self.totals(client) == ["calm\t8\t8", "t\\'\\\\\\0é\t\(Int64.max - 1)\t\(Int32.max - 1)"])

        // Across batches: +2 passes the int64 total, as `t.c + EXCLUDED.c` would on Postgres. Refused
        // before any row, naming the column; the probe of the same facts refuses too, a part that fits passes.
        let third = Self.payload(6, [("calm", 1, 0), (hostile, 2, 0)])
        _ = try await store.run(.persistIntent, third)
        let refused = await Self.isDataRejection { _ = try await store.run(.insertRows, third) }
        #expect(refused?.contains("totals.total") == true, "\(refused ?? "accepted")")
        #expect(await Self.isDataRejection { try await store.probe(third) }?.contains("totals.total") == true)
        var part = third
        part.facts = [third.facts[0]]
        #expect(await Self.isDataRejection { try await store.probe(part) } == nil)
        #expect(try await Self.totals(client) == ["calm\t8\t8", "t\\'\\\\\\0é\t\(Int64.max - 1)\t\(Int32.max - 1)"])

        // A crash after the refusal: the new process loads 6...7 as pending with the totals the first
        // attempt recorded, and refuses the same fact; without it, the batch is applied.
        store = ClickHouseProjectionStore(client: client, schema: Self.schema)
        #expect(try await store.loadCheckpoint(Self.consumer).pending == third.range)
        _ = try await store.run(.persistIntent, third)
        #expect(await Self.isDataRejection { _ = try await store.run(.insertRows, third) }?.contains("totals.total") == true)
        for step in ClickHouseProjectionStore.Guarantee.steps { _ = try await store.run(step, part) }
        #expect(try await Self.totals(client) == ["calm\t9\t8", "t\\'\\\\\\0é\t\(Int64.max - 1)\t\(Int32.max - 1)"])

        // The int32 measure has its own bound: max-1 + 2 leaves it.
        let fourth = Self.payload(8, [(hostile, 0, 2)])
        _ = try await store.run(.persistIntent, fourth)
        #expect(await Self.isDataRejection { _ = try await store.run(.insertRows, fourth) }?.contains("totals.small") == true)
    }

    @Test("the stored totals are read for keys of every column type, hostile strings included, and 0 for a new key")
    func totalsOfEveryKeyType() async throws {
        let schema = ProjectionSchema(name: "sum-guard-keys", storeKinds: [.clickhouse], bindings: [], tables: [
            TableSchema(name: "wide", kind: .aggregate, columns: [
                ColumnSchema(name: "s", type: .string, lowCardinality: true, sources: []),
                // Named as the statement's own index column was once: the statement names its own with `#`.
                ColumnSchema(name: "__i", type: .int32, sources: []),
                ColumnSchema(name: "i64", type: .int64, sources: []),
                ColumnSchema(name: "u64", type: .uint64, sources: []),
                ColumnSchema(name: "b", type: .bool, sources: []),
                ColumnSchema(name: "d", type: .date, sources: []),
                ColumnSchema(name: "ts", type: .timestamp, sources: []),
                ColumnSchema(name: "dec", type: .decimal(precision: 20, scale: 4), sources: []),
                ColumnSchema(name: "f", type: .float64, sources: []),
                ColumnSchema(name: "total", type: .int64, aggregate: .sum, sources: []),
                ColumnSchema(name: "amount", type: .decimal(precision: 38, scale: 2), aggregate: .sum, sources: []),
            ], primaryKey: ["s", "__i", "i64", "u64", "b", "d", "ts", "dec", "f"]),
        ])
        let fixture = try await ValueParityTests.fixture(.clickhouse, schema: schema)
        defer { Task { await fixture.drop() } }
        let client = try ClickHouseClient(dsn: fixture.dsn)
        let store = ClickHouseProjectionStore(client: client, schema: schema)
        let consumer = ConsumerID(projection: "sum-guard-keys", consumer: "d")
        _ = try await store.loadCheckpoint(consumer)
        func key(_ s: String, _ n: Int64) -> [ColumnValue] {
            [.string(s), .int64(-n), .int64(Int64.min + n), .uint64(UInt64(Int64.max) - UInt64(n)), .bool(n % 2 == 0), .date(Int32(19_000 + n)),
             .timestamp(1_700_000_000_123 + n), .string("-1234567890123456.\(1000 + n)"), .float64(-0.1 * Double(n))]
        }
        let hostile = ["", "'", "\\", "\u{0}\t\n", "é🙂", String(repeating: "x", count: 300)]
        var facts: [MappedFact] = []
        for (n, s) in hostile.enumerated() {
            for repeat_ in 0..<2 {
                let sequence = UInt64(facts.count + 1)
                facts.append(MappedFact(sequence: sequence, factType: "t", tenant: "t", idempotencyKey: "k\(sequence)", rows: [
                    TableRow(tableIndex: 0, values: key(s, Int64(n)) + [.int64(Int64(n) * 10 + Int64(repeat_)), .string("\(n).0\(repeat_)")]),
                ]))
            }
        }
        let payload = BatchPayload(consumer: consumer, range: SequenceRange(first: 1, last: UInt64(facts.count)), facts: facts, quarantined: [])
        for step in ClickHouseProjectionStore.Guarantee.steps { _ = try await store.run(step, payload) }

        // The keys just written and one never written, read back by index.
        var probe = try #require(SumGuard.exposure(of: facts, schema: schema).first)
        #expect(probe.keys.count == hostile.count)
        probe.keys.append((key("new", 99), try SumGuard.keyHex(key("new", 99), columns: Array(schema.tables[0].columns.prefix(9)))))
        probe.bounds.append(probe.bounds[0])
        let totals = try await store.storedTotals(probe)
        let expected = hostile.indices.map { n in [String(n * 20 + 1), "\(2 * n).01"] } + [["0", "0"]]
        #expect(totals.count == expected.count)
        for (index, (got, want)) in zip(totals, expected).enumerated() {
            #expect(got.count == 2 && got[0] == want[0], "key \(index): \(got)")
            #expect(got.count == 2 && SumGuard.parseTotal(got[1], type: .decimal(precision: 38, scale: 2)) == SumGuard.parseTotal(want[1], type: .decimal(precision: 38, scale: 2)),
                    "key \(index): \(got)")
        }
    }

    @Test("a part a merge stored wrapped: the stored totals and the state hash read the true total (int32, summed in its type)")
    func wrappedPartsReadExactly() async throws {
        let fixture = try await ValueParityTests.fixture(.clickhouse, schema: Self.schema)
        defer { Task { await fixture.drop() } }
        let client = try ClickHouseClient(dsn: fixture.dsn)
        // -2e9, then one insert of +1.5e9 twice: ClickHouse adds that insert's rows in Int32, storing
        // -1294967296 (as a merge of two such parts would). The true total is 1e9.
        try await client.execute("INSERT INTO totals (tenant_id, day, total, small) VALUES ('t1', '2026-01-01', 0, -2000000000)")
        try await client.execute("INSERT INTO totals (tenant_id, day, total, small) VALUES ('t1', '2026-01-01', 0, 1500000000), ('t1', '2026-01-01', 0, 1500000000)")
        let parts = try await client.query("SELECT toString(sum(small)) FROM totals FORMAT TabSeparated")
        #expect(parts.text.trimmingCharacters(in: .whitespacesAndNewlines) == "-3294967296", "the parts as stored (widening sum)")

        let store = ClickHouseProjectionStore(client: client, schema: Self.schema)
        let fact = MappedFact(sequence: 1, factType: "t", tenant: "t1", idempotencyKey: "k1",
                              rows: [TableRow(tableIndex: 0, values: [.string("t1"), .date(20_454), .int64(0), .int64(1)])])
        let exposure = try #require(SumGuard.exposure(of: [fact], schema: Self.schema).first)
        #expect(try await store.storedTotals(exposure) == [["0", "1000000000"]])

        let reader = try StoreBackends.stateHashReader(store: .clickhouse, dsn: fixture.dsn)
        defer { Task { await reader.close() } }
        let layout = try StateHashLayout(table: Self.schema.tables[0])
        let rows = try await reader.rows(of: layout, tenant: "t1")
        let small = try #require(layout.columns.firstIndex { $0.name == "small" })
        #expect(rows.map { try? StateHashCanonicalForm.render($0[small], as: .int32) } == ["1000000000"])
    }

    @Test("a leased batch with a guard over 1 MiB: its intent is written, and after a takeover the new owner repeats it with the recorded totals")
    func leasedTakeover() async throws {
        let fixture = try await ValueParityTests.fixture(.clickhouse, schema: Self.schema)
        defer { Task { await fixture.drop() } }
        let client = try ClickHouseClient(dsn: fixture.dsn)
        let keys = 12_000
        func tenant(_ i: Int) -> String { "tenant-\(i)-" + String(repeating: "k", count: 40) }
        var owner = ClickHouseProjectionStore(client: client, schema: Self.schema)
        try await owner.fence(Self.consumer, epoch: 1)
        _ = try await owner.loadCheckpoint(Self.consumer)
        var first = Self.payload(1, (0..<keys).map { (tenant($0), Int64.max - 10, 0) })
        first.leaseEpoch = 1
        for step in ClickHouseProjectionStore.Guarantee.steps { _ = try await owner.run(step, first) }

        // Per key -15 then +21: the running totals (max-25, max-4) fit the recorded total (max-10), but +21
        // alone could not, so every key is at risk and recorded. Read again once the rows landed (max-4),
        // the batch would not fit (max-19, then past the bound).
        var second = Self.payload(UInt64(keys) + 1, (0..<keys).flatMap { [(tenant($0), Int64(-15), Int64(0)), (tenant($0), Int64(21), Int64(0))] })
        second.leaseEpoch = 1
        _ = try await owner.run(.persistIntent, second)
        let recorded = try #require(owner.recordedSumGuard(second))
        #expect(recorded.entries.count == keys)
        #expect(recorded.encoded.utf8.count > 1 << 20, "the guard is larger than a URL may be")
        _ = try await owner.run(.insertRows, second)

        // The owner stops before its checkpoint; another replica takes the partition over at epoch 2.
        owner = ClickHouseProjectionStore(client: client, schema: Self.schema)
        try await owner.fence(Self.consumer, epoch: 2)
        #expect(try await owner.loadCheckpoint(Self.consumer).pending == second.range)
        #expect(owner.recordedSumGuard(second) == recorded, "the fence's copy of the intent keeps the recorded totals")
        second.leaseEpoch = 2
        for step in ClickHouseProjectionStore.Guarantee.steps {
            let refusal = await Self.isDataRejection { _ = try await owner.run(step, second) }
            #expect(refusal == nil, "\(step): \(refusal ?? "")")
        }
        let totals = try await client.query(
            "SELECT count(), toString(min(t)), toString(max(t)) FROM (SELECT tenant_id, sum(total) AS t FROM totals GROUP BY tenant_id) FORMAT TabSeparated")
        #expect(totals.text.trimmingCharacters(in: .whitespacesAndNewlines) == "\(keys)\t\(Int64.max - 4)\t\(Int64.max - 4)")
    }
}
