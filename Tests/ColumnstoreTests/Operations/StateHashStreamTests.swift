@testable import Columnstore
import IngestTestKit
import Testing

/// The paged hash (`StateHashStream`, `StateHash.compute` over a reader's pages) against the in-memory
/// one (`StateHasher.hash`) over generated rows: ties on a non-unique sort key, NULL and NaN keys,
/// zero rows, any page size. No I/O: the reader is a fake holding the rows.
@Suite("State hash in pages, no I/O")
struct StateHashStreamTests {
    /// An append table whose sort key (tenant, day, n?) ties often; a nullable float key column.
    static let events = TableSchema(
        name: "events", kind: .append,
        columns: [
            ColumnSchema(name: "tenant_id", type: .string, sources: [ColumnSource(factType: "f", value: .envelope(.tenant))]),
            ColumnSchema(name: "day", type: .int32),
            ColumnSchema(name: "n", type: .float64, nullable: true),
            ColumnSchema(name: "note", type: .string, nullable: true),
        ],
        primaryKey: [], orderBy: ["tenant_id", "day", "n"])
    /// An aggregate table of sums: rows whose sums are all zero are not state.
    static let totals = TableSchema(
        name: "totals", kind: .aggregate,
        columns: [
            ColumnSchema(name: "tenant_id", type: .string, sources: [ColumnSource(factType: "f", value: .envelope(.tenant))]),
            ColumnSchema(name: "k", type: .string),
            ColumnSchema(name: "total", type: .int64, aggregate: .sum),
        ],
        primaryKey: ["tenant_id", "k"])

    static func row(_ table: TableSchema, _ random: inout SplitMix64) -> [ColumnValue] {
        switch table.name {
        case "events":
            let n: ColumnValue = switch random.next() % 6 {
            case 0: .null
            case 1: .float64(.nan)
            case 2: .float64(-0.0)
            default: .float64(Double(Int(random.next() % 5) - 2) / 2)
            }
            let note: ColumnValue = random.next() % 4 == 0 ? .null : .string(["a", "b", "é", "", "\\N", "a\tb"][Int(random.next() % 6)])
            return [.string("t"), .int64(Int64(random.next() % 4)), n, note]
        default:
            return [.string("t"), .string(["x", "y", "Z", "é", ""][Int(random.next() % 5)] + String(random.next() % 7)), .int64(Int64(random.next() % 3) - 1)]
        }
    }

    /// Rows in the hash's key order, as a store's `ORDER BY` returns them (ties in any order).
    static func keyOrdered(_ rows: [[ColumnValue]], _ layout: StateHashLayout) -> [[ColumnValue]] {
        let order = layout.orderIndices.map { ($0, layout.columns[$0].type) }
        return rows.sorted { a, b in
            for (index, type) in order {
                let comparison = StateHasher.compare(a[index], b[index], as: type)
                if comparison != 0 { return comparison < 0 }
            }
            return false
        }
    }

    /// The hash as defined (OPERATIONS.md, "Canonical form"), written out plainly as the oracle: rows
    /// whose sums are all zero left out, the rest sorted by key, then by their whole line's bytes, and
    /// SHA-256 over the header and the lines.
    static func oracle(_ rows: [[ColumnValue]], _ layout: StateHashLayout) throws -> String {
        let types = layout.columns.map(\.type)
        let kept = rows.filter { row in !(layout.omitsZeroRows && layout.measureIndices.allSatisfy { StateHasher.isZero(row[$0]) }) }
        let lines = try kept.map { (row: $0, line: try StateHashCanonicalForm.line($0, types: types)) }.sorted { a, b in
            for index in layout.orderIndices {
                let comparison = StateHasher.compare(a.row[index], b.row[index], as: types[index])
                if comparison != 0 { return comparison < 0 }
            }
            return Array(a.line.utf8).lexicographicallyPrecedes(Array(b.line.utf8))
        }
        return SHA256.hexDigest(Array((layout.header + lines.map(\.line).joined()).utf8))
    }

    @Test("pages of any size in key order hash as the whole tenant sorted in memory", arguments: [Self.events, Self.totals])
    func pagesMatchMemory(table: TableSchema) throws {
        let layout = try StateHashLayout(table: table)
        var random = SplitMix64(seed: 0x57A7_E5 &+ UInt64(table.name.utf8.count))
        for round in 0..<300 {
            var rows = (0..<Int(random.next() % 60)).map { _ in Self.row(table, &random) }
            if table.kind == .aggregate {
                // One row per key, as the store holds them merged.
                var seen = Set<String>()
                rows = rows.filter { seen.insert("\($0[1])").inserted }
            }
            let expected = try StateHasher.hash(rows.shuffled(using: &random), tenant: "t", layout: layout)
            #expect(expected.digest == (try Self.oracle(rows, layout)), "round \(round)")
            let ordered = Self.keyOrdered(rows.shuffled(using: &random), layout)
            var stream = StateHashStream(layout: layout, tenant: "t")
            var offset = 0
            while offset < ordered.count {
                let take = min(ordered.count - offset, 1 + Int(random.next() % 9))
                try stream.add(Array(ordered[offset..<offset + take]))
                offset += take
            }
            let streamed = stream.finish()
            #expect(streamed == expected, "round \(round), \(rows.count) rows")
            if table.kind == .aggregate {
                #expect(streamed.rowCount == rows.filter { $0[2] != .int64(0) }.count)
            }
        }
    }

    @Test("rows tied on an append table's sort key hash in their lines' byte order; -0.0 and 0.0 are one key")
    func tiesKnownAnswer() throws {
        let layout = try StateHashLayout(table: Self.events)
        let rows: [[ColumnValue]] = [
            [.string("t"), .int64(1), .float64(0.0), .string("b")],
            [.string("t"), .int64(1), .float64(-0.0), .string("B")],
            [.string("t"), .int64(1), .null, .string("z")],
            [.string("t"), .int64(0), .float64(.nan), .null],
        ]
        let text = layout.header + "t\t0\tNaN\t\\N\n" + "t\t1\t\\N\tz\n" + "t\t1\t0.0\tB\n" + "t\t1\t0.0\tb\n"
        #expect(try StateHasher.hash(rows, tenant: "t", layout: layout).digest == SHA256.hexDigest(Array(text.utf8)))
    }

    @Test("a key before the previous one is refused as out of order, never hashed")
    func outOfOrder() throws {
        let layout = try StateHashLayout(table: Self.totals)
        var stream = StateHashStream(layout: layout, tenant: "t")
        try stream.add([[.string("t"), .string("b"), .int64(1)]])
        let error = try #require(throws: StateHashError.self) { try stream.add([[.string("t"), .string("a"), .int64(1)]]) }
        #expect(error.code == .outOfOrder)
        #expect(error.table == "totals")
    }

    /// A reader holding rows in memory: hands them over in pages in the order given, and records the
    /// page sizes it was asked for and handed out.
    final class PagedReader: StateHashReader, @unchecked Sendable {
        let rows: [[ColumnValue]]
        var pageSizes: [Int] = []
        var reads = 0
        init(_ rows: [[ColumnValue]]) { self.rows = rows }
        var store: StoreKind { .postgres }
        var location: String { "memory" }
        func tenants(of layout: StateHashLayout) async throws -> [String] { ["t"] }
        func pages(of layout: StateHashLayout, tenant: String, pageRows: Int, _ page: ([[ColumnValue]]) throws -> Void) async throws {
            reads += 1
            var offset = 0
            while offset < rows.count {
                let take = min(pageRows, rows.count - offset)
                pageSizes.append(take)
                try page(Array(rows[offset..<offset + take]))
                offset += take
            }
        }
        func close() async {}
    }

    @Test("compute reads a tenant in pages of pageRows; a store order other than the hash's falls back to memory, same digest")
    func computeInPages() async throws {
        let schema = ProjectionSchema(name: "p", storeKinds: [.postgres], bindings: [], tables: [Self.events])
        let layout = try StateHashLayout(table: Self.events)
        var random = SplitMix64(seed: 0xFA11_BAC4)
        let rows = (0..<200).map { _ in Self.row(Self.events, &random) }
        let expected = try StateHasher.hash(rows, tenant: "t", layout: layout)
        #expect(expected.digest == (try Self.oracle(rows, layout)))

        let ordered = PagedReader(Self.keyOrdered(rows, layout))
        let paged = try await StateHash(schema: schema, reader: ordered, pageRows: 7).compute()
        #expect(paged.first?.tenants == [expected])
        #expect(ordered.reads == 1)
        #expect(ordered.pageSizes.max() == 7 && ordered.pageSizes.reduce(0, +) == 200)

        // NULL keys last, as a store's default ORDER BY puts them: read once more, hashed in memory.
        let nullsLast = PagedReader(Self.keyOrdered(rows, layout).sorted { ($0[2] == .null ? 1 : 0) < ($1[2] == .null ? 1 : 0) })
        let fallback = try await StateHash(schema: schema, reader: nullsLast, pageRows: 7).compute()
        #expect(fallback.first?.tenants == [expected])
        #expect(nullsLast.reads == 2)
    }
}
