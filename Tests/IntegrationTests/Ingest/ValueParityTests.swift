import ClickHouseHTTP
import Columnstore
import Foundation
import JetStream
import LibPQ
import Logging
import Testing
@testable import Ingest
@testable import ClickHouseBackend
@testable import PostgresBackend
import StoreBackends

/// A projection of another shape than orders-analytics, fed edge and hostile values, through the real
/// pipeline into BOTH real stores: every fact is applied or quarantined (never a stall), the rows equal
/// what the domain and parity rules say (docs/ANNOTATIONS.md), and the two stores hash the same.
@Suite("Value domains and store parity (dev stack)", .serialized)
struct ValueParityTests {
    static let reading = "sensors.reading.v1"
    static let calibration = "sensors.calibration.v1"

    /// Two fact types; the second is keyed by its envelope (source, id). `agg` is fed by both, and the
    /// calibration does not source `lo` (MIN) or `n`: it must contribute nothing to them.
    static let schema: ProjectionSchema = {
        let tenant = { (type: String) in ColumnSource(factType: type, value: .envelope(.tenant)) }
        let data = { (type: String, path: String) in ColumnSource(factType: type, value: .data(FieldPath(path.split(separator: ".").map(String.init)))) }
        let hour = { (type: String, path: String) in
            ColumnSource(factType: type, value: .data(FieldPath([path])), transform: .toHour)
        }
        let agg = TableSchema(name: "agg", kind: .aggregate, columns: [
            ColumnSchema(name: "tenant_id", type: .string, sources: [tenant(reading), tenant(calibration)]),
            ColumnSchema(name: "site", type: .string, sources: [data(reading, "site"), data(calibration, "site")]),
            ColumnSchema(name: "hour", type: .timestamp, sources: [hour(reading, "at"), hour(calibration, "at")]),
            ColumnSchema(name: "n", type: .int64, aggregate: .sum, sources: [ColumnSource(factType: reading, value: .constant("1"))]),
            ColumnSchema(name: "lo", type: .float64, aggregate: .min, sources: [data(reading, "temp")]),
            ColumnSchema(name: "hi", type: .float64, aggregate: .max, sources: [data(reading, "temp"), data(calibration, "offset")]),
            ColumnSchema(name: "energy", type: .decimal(precision: 12, scale: 3), aggregate: .sum, sources: [data(reading, "energy")]),
        ], primaryKey: ["tenant_id", "site", "hour"]).withSkippableMeasuresNullable()
        let state = TableSchema(name: "state", kind: .latest, columns: [
            ColumnSchema(name: "tenant_id", type: .string, sources: [tenant(reading)]),
            ColumnSchema(name: "sensor", type: .string, sources: [data(reading, "sensor")]),
            ColumnSchema(name: "note", type: .string, nullable: true, sources: [
                ColumnSource(factType: reading, value: .data(FieldPath(["meta", "note"])), isRequired: false)]),
            ColumnSchema(name: "day", type: .date, sources: [ColumnSource(factType: reading, value: .data(FieldPath(["at"])), transform: .toDate)]),
            ColumnSchema(name: "big", type: .uint64, sources: [ColumnSource(factType: reading, value: .envelope(.streamSequence))]),
            ColumnSchema(name: "at", type: .timestamp, sources: [data(reading, "version_at")]),
        ], primaryKey: ["tenant_id", "sensor"], versionColumn: "at")
        return ProjectionSchema(name: "value-parity", storeKinds: [.clickhouse, .postgres], bindings: [
            FactBinding(factType: reading, ref: "reading", idempotencyKey: FieldPath(["id"])),
            FactBinding(factType: calibration, ref: "calibration", keyParts: [.envelope(.source), .envelope(.id)]),
        ], tables: [agg, state])
    }()

    struct Fact {
        var type: String
        var id: String
        var source = "test"
        var tenant = "t1"
        var data: String
    }

    /// The facts, in stream order. The comment says what each one tests.
    static let facts: [Fact] = [
        // 1-3: a reading, a calibration in the same hour (no `temp`: MIN must ignore it), a tie at version.
        Fact(type: reading, id: "r1", data: #"{"id":"r1","site":"s1","sensor":"a","at":"2026-03-01T10:15:00Z","temp":0.25,"energy":"1.250","version_at":"2026-03-01T10:15:00Z","meta":{"note":"first"}}"#),
        Fact(type: calibration, id: "c1", data: #"{"site":"s1","at":"2026-03-01T10:20:00Z","offset":3.5}"#),
        Fact(type: reading, id: "r2", data: #"{"id":"r2","site":"s1","sensor":"a","at":"2026-03-01T10:30:00Z","temp":0.15832928596944662,"energy":12,"version_at":"2026-03-01T10:15:00Z"}"#),
        // 4: an exception-looking string and a hostile note; an older version, which must not win.
        Fact(type: reading, id: "r3", data: #"{"id":"r3","site":"Code: 1. DB::Exception: boom","sensor":"b","at":"2026-03-01T11:00:00Z","temp":-0.0,"energy":"0","version_at":"2026-03-01T11:00:00Z","meta":{"note":"tab\t\"quote\" \\ é"}}"#),
        Fact(type: reading, id: "r4", data: #"{"id":"r4","site":"Code: 1. DB::Exception: boom","sensor":"b","at":"2026-03-01T11:05:00Z","temp":5,"energy":"0.001","version_at":"2026-03-01T10:59:59.999Z"}"#),
        // 6: the same reading id again (a producer retry): applied once.
        Fact(type: reading, id: "r1-again", data: #"{"id":"r1","site":"s1","sensor":"a","at":"2026-03-01T10:15:00Z","temp":-100,"energy":"999","version_at":"2030-01-01T00:00:00Z"}"#),
        // 7: the same calibration (source, id) again: applied once; 8: same id from another source: applied.
        Fact(type: calibration, id: "c1", data: #"{"site":"s1","at":"2026-03-01T10:20:00Z","offset":99}"#),
        Fact(type: calibration, id: "c1", source: "other", data: #"{"site":"s1","at":"2026-03-01T10:25:00Z","offset":4}"#),
        // 9-15: poison: NUL, a date before 1970 (to_date), a timestamp past 2299, a decimal with too many
        // fractional digits, one too large, NaN as a string, a missing key.
        Fact(type: reading, id: "p1", data: #"{"id":"p1","site":"s\u0000","sensor":"x","at":"2026-03-01T10:15:00Z","temp":1,"energy":"1","version_at":"2026-03-01T10:15:00Z"}"#),
        Fact(type: reading, id: "p2", data: #"{"id":"p2","site":"s1","sensor":"x","at":"1900-03-01T10:15:00Z","temp":1,"energy":"1","version_at":"2026-03-01T10:15:00Z"}"#),
        Fact(type: reading, id: "p3", data: #"{"id":"p3","site":"s1","sensor":"x","at":"2026-03-01T10:15:00Z","temp":1,"energy":"1","version_at":"2300-01-01T00:00:00Z"}"#),
        Fact(type: reading, id: "p4", data: #"{"id":"p4","site":"s1","sensor":"x","at":"2026-03-01T10:15:00Z","temp":1,"energy":"1.0005","version_at":"2026-03-01T10:15:00Z"}"#),
        Fact(type: reading, id: "p5", data: #"{"id":"p5","site":"s1","sensor":"x","at":"2026-03-01T10:15:00Z","temp":1,"energy":"1234567890.123","version_at":"2026-03-01T10:15:00Z"}"#),
        Fact(type: reading, id: "p6", data: #"{"id":"p6","site":"s1","sensor":"x","at":"2026-03-01T10:15:00Z","temp":"NaN","energy":"1","version_at":"2026-03-01T10:15:00Z"}"#),
        Fact(type: reading, id: "p7", data: #"{"site":"s1","sensor":"x","at":"2026-03-01T10:15:00Z","temp":1,"energy":"1","version_at":"2026-03-01T10:15:00Z"}"#),
        // 16: the largest energy that fits, in another hour.
        Fact(type: reading, id: "r5", tenant: "t2", data: #"{"id":"r5","site":"s2","sensor":"c","at":"2149-06-06T23:59:59.999Z","temp":1e308,"energy":"999999999.999","version_at":"2299-12-31T23:59:59.999Z"}"#),
    ]

    /// tenant|site|hour → n, lo, hi, energy (as the state hash renders them).
    static let expectedAgg: [String: [String]] = [
        "t1|s1|2026-03-01T10:00:00.000Z": ["2", "0.15832928596944662", "4.0", "13.250"],
        "t1|Code: 1. DB::Exception: boom|2026-03-01T11:00:00.000Z": ["2", "0.0", "5.0", "0.001"],
        "t2|s2|2149-06-06T23:00:00.000Z": ["1", "1e+308", "1e+308", "999999999.999"],
    ]
    /// tenant|sensor → note, day, at. r2 ties r1's version and comes later: r2 wins (its note is absent).
    static let expectedState: [String: [String]] = [
        "t1|a": [#"\N"#, "2026-03-01", "2026-03-01T10:15:00.000Z"],
        "t1|b": [#"tab\t"quote" \\ é"#, "2026-03-01", "2026-03-01T11:00:00.000Z"],
        "t2|c": [#"\N"#, "2149-06-06", "2299-12-31T23:59:59.999Z"],
    ]

    @Test("edge and hostile values: applied or quarantined, identical rows and state hash on both stores")
    func parity() async throws {
        let stream = DevStack.uniqueName("VP").uppercased()
        let subject = stream.lowercased()
        let last = try await Self.publish(stream: stream, subject: subject)
        defer { Task { await FactPublisher.deleteStream(stream) } }
        var digests: [StoreKind: [String]] = [:]
        for kind in [StoreKind.postgres, .clickhouse] {
            let fixture = try await Self.fixture(kind)
            defer { Task { await fixture.drop() } }
            let snapshot = try await Self.ingest(kind, fixture: fixture, stream: stream, subject: subject, last: last)
            #expect(snapshot.checkpoint == last, "\(kind): stalled at \(snapshot.checkpoint) of \(last): \(snapshot.lastError ?? "")")
            #expect(snapshot.factsQuarantined == 7, "\(kind): quarantined \(snapshot.factsQuarantined)")
            #expect(snapshot.factsDuplicate == 2, "\(kind): duplicates \(snapshot.factsDuplicate)")

            let rows = try await Self.rows(fixture)
            #expect(rows.agg == Self.expectedAgg, "\(kind): agg")
            #expect(rows.state == Self.expectedState, "\(kind): state")
            let reasons = try await fixture.rows(
                "SELECT reason FROM _projection_quarantine WHERE projection = 'value-parity' ORDER BY stream_sequence",
                postgres: "SELECT reason FROM _projection_quarantine WHERE projection = 'value-parity' ORDER BY stream_sequence").map { $0[0] }
            #expect(reasons.count == 7)
            for (reason, field) in zip(reasons, ["data.site", "data.at", "data.version_at", "data.energy", "data.energy", "data.temp", "data.id"]) {
                #expect(reason.contains(field), "\(kind): the reason '\(reason)' must name \(field)")
            }
            let reader = try StoreBackends.stateHashReader(store: kind, dsn: fixture.dsn)
            let tables = try await StateHash(schema: Self.schema, reader: reader).compute()
            await reader.close()
            digests[kind] = tables.map { "\($0.table)=\($0.digest)" }
        }
        #expect(digests[.postgres] == digests[.clickhouse], "the stores' state hashes differ")
    }

    @Test("a SUM pushed past int64 by a later batch: the fact is isolated and quarantined, the stream goes on, on both stores",
          arguments: [StoreKind.postgres, .clickhouse])
    func storeRejectionIsolated(kind: StoreKind) async throws {
        let schema = Self.totalsSchema("value-parity", [("total", .int64, "v")])
        // First the large value alone, committed; then a batch in which 20 overflows (and is refused)
        // while the rest fits.
        let values: [Int64] = [Int64.max - 10, 5, 20, 5, -1, 1]
        let (fixture, snapshot) = try await Self.ingestFirstThenRest(kind, schema: schema, prefix: "VR", data: values.map { #""v":\#($0)"# })
        defer { Task { await fixture.drop() } }
        #expect(snapshot.checkpoint == 6, "stalled: \(snapshot.lastError ?? "")")
        // The stored total and the batch meet as Postgres's `t.c + EXCLUDED.c` does (ClickHouse checks the
        // totals recorded with the batch's intent, SumGuard): max-10 + (5+20+5-1+1) overflows, so the
        // batch is refused; max-10 + 5 fits, + 20 does not: 20 goes, and max-10 + 10 = max fits.
        let total = try await fixture.rows("SELECT toString(sum(total)) FROM totals WHERE tenant_id = 't1'",
                                           postgres: "SELECT total::text FROM totals WHERE tenant_id = 't1'")
        #expect(total == [[String(Int64.max)]])
        let reasons = try await fixture.rows("SELECT toString(stream_sequence), reason FROM _projection_quarantine ORDER BY stream_sequence",
                                             postgres: "SELECT stream_sequence::text, reason FROM _projection_quarantine ORDER BY stream_sequence")
        #expect(reasons.map { $0[0] } == ["3"])
        #expect(reasons.first?[1].hasPrefix("store_rejected: ") == true, "\(reasons)")
        // The reason names the field (Postgres's own message for `t.c + EXCLUDED.c` names none).
        #expect(reasons.first?[1].contains("totals.total") == true, "\(reasons)")
    }

    @Test("SUM deltas of both signs near the bound: the fact that takes the running total past it is refused, in one batch as fact by fact",
          arguments: [StoreKind.postgres, .clickhouse], [1, 100])
    func runningTotalDecides(kind: StoreKind, batchMaxFacts: Int) async throws {
        let schema = Self.totalsSchema("value-running", [("total", .int64, "v"), ("small", .decimal(precision: 5, scale: 2), "d")])
        // max-10 (and 999.00) committed first; then +20 takes the total past the bound although the
        // batch's net (+20 - 20 + 5) fits: it is refused, -20 and +5 apply (max-25); then 0.99 + 0.02 -
        // 0.50 on the decimal: its +0.02 passes 999.99 on the way (refused), the rest fits (999.49).
        let values: [(Int64, String)] = [(Int64.max - 10, "999.00"), (20, "0"), (-20, "0"), (5, "0"), (0, "0.99"), (0, "0.02"), (0, "-0.50")]
        let (fixture, snapshot) = try await Self.ingestFirstThenRest(
            kind, schema: schema, prefix: "VS", data: values.map { #""v":\#($0.0),"d":"\#($0.1)""# }, batchMaxFacts: batchMaxFacts)
        defer { Task { await fixture.drop() } }
        #expect(snapshot.checkpoint == 7, "stalled: \(snapshot.lastError ?? "")")
        let total = try await fixture.rows("SELECT toString(sum(total)), toString(sum(small)) FROM totals WHERE tenant_id = 't1'",
                                           postgres: "SELECT total::text, small::text FROM totals WHERE tenant_id = 't1'")
        #expect(total.map { [$0[0], String($0[1].prefix(6))] } == [[String(Int64.max - 25), "999.49"]], "\(total)")
        let reasons = try await fixture.rows("SELECT toString(stream_sequence), reason FROM _projection_quarantine ORDER BY stream_sequence",
                                             postgres: "SELECT stream_sequence::text, reason FROM _projection_quarantine ORDER BY stream_sequence")
        #expect(reasons.map { $0[0] } == ["2", "6"], "\(reasons)")
        #expect(reasons.first?[1].contains("totals.total") == true, "\(reasons)")
        #expect(reasons.last?[1].contains("totals.small") == true, "\(reasons)")
    }

    @Test("a key's net past its type within one batch, from a stored total at the other edge: both facts apply, on both stores",
          arguments: [StoreKind.postgres, .clickhouse], [1, 100])
    func segmentedNet(kind: StoreKind, batchMaxFacts: Int) async throws {
        let schema = Self.totalsSchema("value-segments", [("total", .int32, "v")])
        // -2e9, then +1.5e9 twice: one by one -0.5e9 and 1e9 fit, though the batch's net (3e9) is no int32.
        let (fixture, snapshot) = try await Self.ingestFirstThenRest(
            kind, schema: schema, prefix: "VG", data: [-2_000_000_000, 1_500_000_000, 1_500_000_000].map { #""v":\#($0)"# },
            batchMaxFacts: batchMaxFacts
        ) { fixture in
            // ClickHouse: unmerged parts, so the read below sees each insert's rows as written (a merge
            // would add them in Int32 itself).
            if kind == .clickhouse { try await ClickHouseClient(dsn: fixture.dsn).execute("SYSTEM STOP MERGES totals") }
        }
        defer { Task { await fixture.drop() } }
        #expect(snapshot.checkpoint == 3, "stalled: \(snapshot.lastError ?? "")")
        // ClickHouse: the parts' sum as a query reads it (one insert holding both rows would have stored
        // them added in Int32, wrapped to -1294967296, and this sum would read -3294967296).
        let total = try await fixture.rows("SELECT toString(sum(total)) FROM totals WHERE tenant_id = 't1'",
                                           postgres: "SELECT total::text FROM totals WHERE tenant_id = 't1'")
        #expect(total == [["1000000000"]])
        let quarantined = try await fixture.rows("SELECT toString(count()) FROM _projection_quarantine",
                                                 postgres: "SELECT count(*)::text FROM _projection_quarantine")
        #expect(quarantined == [["0"]])
    }

    @Test("a fact refused within its batch, then re-driven, is applied once on both stores", arguments: [StoreKind.postgres, .clickhouse])
    func refusedFactRedriven(kind: StoreKind) async throws {
        let stream = DevStack.uniqueName("VD").uppercased()
        let subject = stream.lowercased()
        let schema = ProjectionSchema(name: "value-redrive", storeKinds: [.postgres, .clickhouse], bindings: [
            FactBinding(factType: Self.reading, ref: "reading", idempotencyKey: FieldPath(["id"])),
        ], tables: [TableSchema(name: "totals", kind: .aggregate, columns: [
            ColumnSchema(name: "tenant_id", type: .string, sources: [ColumnSource(factType: Self.reading, value: .envelope(.tenant))]),
            ColumnSchema(name: "total", type: .int64, aggregate: .sum, sources: [ColumnSource(factType: Self.reading, value: .data(FieldPath(["v"])))]),
        ], primaryKey: ["tenant_id"])])
        let body = { (id: String, value: Int64) in
            Array(#"{"specversion":"1.0","id":"\#(id)","type":"\#(Self.reading)","source":"t","tenantid":"t1","data":{"id":"\#(id)","v":\#(value)}}"#.utf8)
        }
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "value-parity-tests")
        let js = try connection.jetStream()
        try await js.ensureStream(name: stream, subjects: ["\(subject).>"], storage: .file)
        defer { Task { await FactPublisher.deleteStream(stream) } }
        let fixture = try await Self.fixture(kind, schema: schema)
        defer { Task { await fixture.drop() } }
        func ingest(last: UInt64) async throws -> IngestStatus.Snapshot {
            try await Self.ingest(kind, schema: schema, fixture: fixture, stream: stream, subject: subject, last: last)
        }
        func quarantined() async throws -> [[String]] {
            let sql = "SELECT toString(partition), toString(stream_sequence) FROM _projection_quarantine WHERE projection = 'value-redrive'"
            return try await fixture.rows(sql, postgres: sql.replacingOccurrences(of: "toString(partition)", with: "partition::text")
                .replacingOccurrences(of: "toString(stream_sequence)", with: "stream_sequence::text"))
        }
        func total() async throws -> [[String]] {
            try await fixture.rows("SELECT toString(sum(total)) FROM totals WHERE tenant_id = 't1'",
                                   postgres: "SELECT total::text FROM totals WHERE tenant_id = 't1'")
        }
        // One batch whose sum leaves int64: both stores refuse it, isolate `big-2` and apply the rest.
        _ = try await js.publish(OutboundMessage(subject: "\(subject).r", data: body("big-1", Int64.max - 10)))
        _ = try await js.publish(OutboundMessage(subject: "\(subject).r", data: body("big-2", 20)))
        var snapshot = try await ingest(last: 2)
        #expect(snapshot.checkpoint == 2, "stalled: \(snapshot.lastError ?? "")")
        #expect(try await quarantined() == [["0", "2"]])
        #expect(try await total() == [[String(Int64.max - 10)]])

        // The fix: room is made; then `big-2` is re-driven (entry removed, published again), as the admin
        // re-drive does in the order it could be applied in: after the removal.
        _ = try await js.publish(OutboundMessage(subject: "\(subject).r", data: body("room", -100)))
        // The entry is named with the durable that recorded it.
        let consumer = try #require(try await fixture.rows("SELECT consumer FROM _projection_quarantine WHERE projection = 'value-redrive'",
                                                           postgres: "SELECT consumer FROM _projection_quarantine WHERE projection = 'value-redrive'").first?.first)
        #expect(!consumer.isEmpty)
        let key = QuarantineKey(partition: 0, sequence: 2, consumer: consumer)
        switch kind {
        case .clickhouse:
            try await ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: schema)
                .removeQuarantined(projection: schema.name, keys: [key])
        case .postgres:
            try await PostgresProjectionStore(dsn: fixture.dsn, schema: schema, logger: Logger(label: "test"))
                .removeQuarantined(projection: schema.name, keys: [key])
        }
        _ = try await js.publish(OutboundMessage(subject: "\(subject).r", data: body("big-2", 20)))
        await connection.close()
        snapshot = try await ingest(last: 4)
        #expect(snapshot.checkpoint == 4, "stalled: \(snapshot.lastError ?? "")")
        #expect(try await quarantined() == [])
        #expect(try await total() == [[String(Int64.max - 90)]], "\(kind): the re-driven fact is applied, once")
    }

    // MARK: - Support

    static func publish(stream: String, subject: String) async throws -> UInt64 {
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "value-parity-tests")
        let js = try connection.jetStream()
        try await js.ensureStream(name: stream, subjects: ["\(subject).>"], storage: .file)
        let messages = facts.map { fact in
            let body = #"{"specversion":"1.0","id":"\#(fact.id)","type":"\#(fact.type)","source":"\#(fact.source)","tenantid":"\#(fact.tenant)","data":\#(fact.data)}"#
            return OutboundMessage(subject: "\(subject).f", data: Array(body.utf8))
        }
        try await js.publishAsync(messages)
        try await js.publishAsyncComplete(timeout: .seconds(60))
        let last = try await js.streamInfo(name: stream).lastSequence
        await connection.close()
        return last
    }

    /// A store with this test's tables (generated DDL) and the internal tables.
    static func fixture(_ kind: StoreKind, schema: ProjectionSchema = schema) async throws -> StoreFixture {
        let plan = try MigrationPlanner.plan(schema: schema, target: kind == .clickhouse ? .clickhouse(cluster: nil) : .postgres, existingFiles: [], lock: nil)
        let statements = MigrationScript.statements(in: plan.migration!.contents)
        let name = DevStack.uniqueName("vp")
        switch kind {
        case .clickhouse:
            try await ClickHouseClient(dsn: DevStack.clickhouseDSN).execute("CREATE DATABASE IF NOT EXISTS \(name)")
            var components = URLComponents(string: DevStack.clickhouseDSN)!
            components.path = "/\(name)"
            let client = try ClickHouseClient(dsn: components.string!)
            for statement in statements { try await client.execute(statement) }
            return StoreFixture(kind: kind, dsn: components.string!, name: name)
        case .postgres:
            let admin = try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
            defer { admin.close() }
            try await admin.execute("CREATE SCHEMA \(name)")
            let separator = DevStack.postgresDSN.contains("?") ? "&" : "?"
            let dsn = DevStack.postgresDSN + "\(separator)options=-csearch_path%3D\(name)"
            let connection = try await PostgresConnection.connect(dsn: dsn)
            defer { connection.close() }
            for statement in statements { try await connection.execute(statement) }
            return StoreFixture(kind: kind, dsn: dsn, name: name)
        }
    }

    /// A projection of one aggregate table `totals` keyed by tenant, its SUM measures fed from `data`
    /// paths of the reading fact.
    static func totalsSchema(_ name: String, _ measures: [(name: String, type: ColumnType, path: String)]) -> ProjectionSchema {
        ProjectionSchema(name: name, storeKinds: [.postgres, .clickhouse], bindings: [
            FactBinding(factType: reading, ref: "reading", idempotencyKey: FieldPath(["id"])),
        ], tables: [TableSchema(name: "totals", kind: .aggregate, columns: [
            ColumnSchema(name: "tenant_id", type: .string, sources: [ColumnSource(factType: reading, value: .envelope(.tenant))]),
        ] + measures.map { ColumnSchema(name: $0.name, type: $0.type, aggregate: .sum, sources: [ColumnSource(factType: reading, value: .data(FieldPath([$0.path])))]) },
        primaryKey: ["tenant_id"])])
    }

    /// Publishes one reading of tenant `t1` per `data` (the data object's members after its id) to a
    /// fresh stream, ingests the first alone (committed), then the rest with `batchMaxFacts`. The caller
    /// drops the returned fixture; `prepare` runs on it before anything is ingested.
    static func ingestFirstThenRest(
        _ kind: StoreKind, schema: ProjectionSchema, prefix: String, data: [String], batchMaxFacts: Int? = nil,
        prepare: (StoreFixture) async throws -> Void = { _ in }
    ) async throws -> (StoreFixture, IngestStatus.Snapshot) {
        let stream = DevStack.uniqueName(prefix).uppercased()
        let subject = stream.lowercased()
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "value-parity-tests")
        let js = try connection.jetStream()
        try await js.ensureStream(name: stream, subjects: ["\(subject).>"], storage: .file)
        defer { Task { await FactPublisher.deleteStream(stream) } }
        let fixture = try await Self.fixture(kind, schema: schema)
        try await prepare(fixture)
        for (index, members) in data.enumerated() {
            let body = #"{"specversion":"1.0","id":"v\#(index)","type":"\#(reading)","source":"t","tenantid":"t1","data":{"id":"v\#(index)",\#(members)}}"#
            _ = try await js.publish(OutboundMessage(subject: "\(subject).r", data: Array(body.utf8)))
            if index == 0 {
                let snapshot = try await Self.ingest(kind, schema: schema, fixture: fixture, stream: stream, subject: subject, last: 1)
                #expect(snapshot.checkpoint == 1)
            }
        }
        await connection.close()
        let snapshot = try await Self.ingest(kind, schema: schema, fixture: fixture, stream: stream, subject: subject, last: UInt64(data.count),
                                             batchMaxFacts: batchMaxFacts)
        return (fixture, snapshot)
    }

    static func ingest(
        _ kind: StoreKind, schema: ProjectionSchema = schema, fixture: StoreFixture, stream: String, subject: String, last: UInt64,
        batchMaxFacts: Int? = nil
    ) async throws -> IngestStatus.Snapshot {
        switch kind {
        case .clickhouse:
            let store = ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: schema)
            return try await run(store, schema: schema, fixture: fixture, stream: stream, subject: subject, last: last, batchMaxFacts: batchMaxFacts)
        case .postgres:
            let store = PostgresProjectionStore(dsn: fixture.dsn, schema: schema, logger: Logger(label: "test"))
            return try await run(store, schema: schema, fixture: fixture, stream: stream, subject: subject, last: last, batchMaxFacts: batchMaxFacts)
        }
    }

    /// Runs a pipeline until its checkpoint reaches `last`, or until it has not moved for 60 s (a stall,
    /// not slowness: the verdict does not depend on the machine's speed).
    static func run<S: ProjectionStore>(
        _ store: S, schema: ProjectionSchema, fixture: StoreFixture, stream: String, subject: String, last: UInt64, batchMaxFacts: Int? = nil
    ) async throws -> IngestStatus.Snapshot {
        var values = [
            "PROJECTION_NAME": schema.name,
            "PROJECTION_STORE_KIND": fixture.kind.environmentValue,
            "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL,
            "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>",
            "PROJECTION_DURABLE": "vp-\(fixture.name)",
            "PROJECTION_BATCH_LINGER_MS": "20",
            "PORT_HTTP": "1",
        ]
        if let batchMaxFacts { values["PROJECTION_BATCH_MAX_FACTS"] = String(batchMaxFacts) }
        let configuration = try IngestConfiguration(settings: SettingsSource(values: values))
        let status = IngestStatus()
        var logger = Logger(label: "test.ingest")
        logger.logLevel = .error
        let pipeline = IngestPipeline(configuration: configuration, store: store, schema: schema, status: status, logger: logger)
        let task = Task { try await pipeline.run() }
        let clock = ContinuousClock()
        var progress = (checkpoint: status.snapshot.checkpoint, at: clock.now)
        while status.snapshot.checkpoint < last, clock.now - progress.at < .seconds(60) {
            try await clock.sleep(for: .milliseconds(50))
            if status.snapshot.checkpoint != progress.checkpoint { progress = (status.snapshot.checkpoint, clock.now) }
        }
        task.cancel()
        _ = try? await task.value
        return status.snapshot
    }

    /// The tables as the state hash renders their values, keyed by their primary keys.
    static func rows(_ fixture: StoreFixture) async throws -> (agg: [String: [String]], state: [String: [String]]) {
        let reader = try StoreBackends.stateHashReader(store: fixture.kind, dsn: fixture.dsn)
        defer { Task { await reader.close() } }
        var agg: [String: [String]] = [:], state: [String: [String]] = [:]
        for table in schema.tables {
            let layout = try StateHashLayout(table: table)
            for tenant in try await reader.tenants(of: layout) {
                for row in try await reader.rows(of: layout, tenant: tenant) {
                    let text = try zip(row, layout.columns).map { try StateHashCanonicalForm.render($0, as: $1.type) }
                    let named = Dictionary(uniqueKeysWithValues: zip(layout.columns.map(\.name), text))
                    if table.name == "agg" {
                        agg["\(named["tenant_id"]!)|\(named["site"]!)|\(named["hour"]!)"] = [named["n"]!, named["lo"]!, named["hi"]!, named["energy"]!]
                    } else {
                        state["\(named["tenant_id"]!)|\(named["sensor"]!)"] = [named["note"]!, named["day"]!, named["at"]!]
                    }
                }
            }
        }
        return (agg, state)
    }
}

@Suite("Lag while a batch is retried (dev stack)", .serialized)
struct RetryLagTests {
    @Test("lag and the stream's end keep moving while the store refuses a batch for a non-data reason")
    func lagFollowsTheStream() async throws {
        let stream = DevStack.uniqueName("RL").uppercased()
        let subject = stream.lowercased()
        let schema = ValueParityTests.schema
        let fixture = try await ValueParityTests.fixture(.postgres)
        defer { Task { await fixture.drop() } }
        defer { Task { await FactPublisher.deleteStream(stream) } }
        // The table is gone: every attempt fails (42P01, not a data reason), so the batch is retried.
        let admin = try await PostgresConnection.connect(dsn: fixture.dsn)
        try await admin.execute("DROP TABLE state")
        admin.close()
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "retry-lag-tests")
        let js = try connection.jetStream()
        try await js.ensureStream(name: stream, subjects: ["\(subject).>"], storage: .file)
        func publish(_ count: Int, from: Int) async throws {
            for index in from..<(from + count) {
                let body = #"{"specversion":"1.0","id":"r\#(index)","type":"\#(ValueParityTests.reading)","source":"t","tenantid":"t1","data":{"id":"r\#(index)","site":"s","sensor":"a","at":"2026-03-01T10:00:00Z","temp":1,"energy":"1","version_at":"2026-03-01T10:00:00Z"}}"#
                _ = try await js.publish(OutboundMessage(subject: "\(subject).r", data: Array(body.utf8)))
            }
        }
        try await publish(3, from: 0)

        let configuration = try IngestConfiguration(settings: SettingsSource(values: [
            "PROJECTION_NAME": schema.name, "PROJECTION_STORE_KIND": fixture.kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream, "PROJECTION_SUBJECTS": "\(subject).>",
            "PROJECTION_DURABLE": "rl-\(fixture.name)", "PROJECTION_BATCH_LINGER_MS": "20", "PORT_HTTP": "1",
        ]))
        let status = IngestStatus()
        var logger = Logger(label: "test.ingest")
        logger.logLevel = .critical
        let store = PostgresProjectionStore(dsn: fixture.dsn, schema: schema, logger: logger)
        let pipeline = IngestPipeline(configuration: configuration, store: store, schema: schema, status: status, logger: logger)
        let task = Task { try await pipeline.run() }
        defer { task.cancel() }
        let clock = ContinuousClock()
        // The batch of 3 is failing; 5 more facts arrive meanwhile. Waiting is bounded only as a stall guard.
        let deadline = clock.now + .seconds(120)
        while status.snapshot.pendingBatch == nil, clock.now < deadline { try await clock.sleep(for: .milliseconds(50)) }
        try await publish(5, from: 3)
        await connection.close()
        while status.snapshot.streamLastSequence < 8, clock.now < deadline { try await clock.sleep(for: .milliseconds(50)) }
        let snapshot = status.snapshot
        #expect(snapshot.checkpoint == 0, "nothing can be applied")
        #expect(snapshot.streamLastSequence == 8, "the stream's end stood still while the batch was retried")
        #expect(snapshot.lag == 8)
    }
}

@Suite("Hostile tenant values in store queries (dev stack)")
struct HostileTenantParameterTests {
    @Test("a tenant with a backslash, tab or quote lists the quarantine on both stores (ClickHouse answered 500)", arguments: [StoreKind.clickhouse, .postgres])
    func quarantineListing(kind: StoreKind) async throws {
        let fixture = try await ValueParityTests.fixture(kind)
        defer { Task { await fixture.drop() } }
        let store: any ProjectionStore = kind == .clickhouse
            ? ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: ValueParityTests.schema)
            : PostgresProjectionStore(dsn: fixture.dsn, schema: ValueParityTests.schema, logger: Logger(label: "test"))
        for tenant in [#"a\"#, "a\tb", "it's", #"\N"#] {
            let listed = try await store.quarantined(projection: "value-parity", partition: nil, tenant: tenant, after: nil, limit: 10)
            #expect(listed.isEmpty, "\(tenant.debugDescription)")
        }
    }
}
