import ClickHouseHTTP
import Columnstore
import Foundation

/// The stored totals a ClickHouse batch's SUM measures start from, for the keys where the batch could
/// push a total out of its column's domain (pure; `ClickHouseProjectionStore+SumGuard` reads the totals).
///
/// Postgres adds a batch to the stored row (`t.c + EXCLUDED.c`) and refuses a total past the column's
/// domain, so the pushing fact is isolated and quarantined. `SummingMergeTree` adds parts at merge time and
/// wraps instead. So a ClickHouse batch reads the stored totals of its keys before its intent and refuses
/// itself the same way (`check`). The totals that matter are recorded **in the intent**: once the batch's
/// rows may have landed, reading again would count them twice and refuse a batch that was accepted. A
/// repeated batch (a retry, a restart, a takeover) checks against the recorded totals, so it takes the
/// same decisions and isolates the same facts as its first attempt.
///
/// Only keys at risk are recorded: those where the stored total plus every positive (or negative) delta
/// of the batch's facts could leave the domain. Any subset of the facts stays between those two bounds,
/// so for every other key no probe or repeat can overflow, and the record is empty for ordinary data.
struct SumGuard: Sendable, Equatable {
    struct Entry: Codable, Hashable, Sendable {
        /// The table's index in the projection's schema: a rebuild's tables (suffixed names) keep the
        /// order, so an intent copied into the live namespace by a cutover still finds its table.
        var t: Int
        /// The key columns' values in RowBinary, hex: the same bytes the rows are inserted with.
        var k: String
        /// SUM column name.
        var c: String
        /// The stored total before the batch, as text of the column's domain (integer, decimal or float).
        var s: String
    }

    var entries: [Entry]

    static let none = SumGuard(entries: [])

    init(entries: [Entry]) {
        self.entries = entries.sorted { ($0.t, $0.k, $0.c) < ($1.t, $1.k, $1.c) }
    }

    /// The intent row's `sum_guard` text: empty when nothing is at risk (and for intents of releases
    /// before internal tables version 5, which then check nothing across batches, as before).
    var encoded: String {
        guard !entries.isEmpty else { return "" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Entries hold only strings: encoding cannot fail.
        return String(decoding: (try? encoder.encode(entries)) ?? Data("[]".utf8), as: UTF8.self)
    }

    init(encoded: String) throws {
        guard !encoded.isEmpty else { self = .none; return }
        do {
            self.init(entries: try JSONDecoder().decode([Entry].self, from: Data(encoded.utf8)))
        } catch {
            throw StoreError(code: .unexpectedResponse, detail: "unreadable sum_guard of a checkpoint row")
        }
    }

    // MARK: - What a batch exposes

    /// The keys of one aggregate table's SUM measures that a batch touches, with the bounds of what any
    /// subset of its facts adds to each measure.
    struct Exposure: Sendable {
        var table: TableSchema
        /// Index of each SUM column in `table.columns`.
        var sumColumns: [Int]
        /// Key column indexes, in the table's primary-key order.
        var keyColumns: [Int]
        /// The table's index in the projection's schema.
        var tableIndex: Int
        /// Per key, in first-seen order: the key's values (key columns only) and its RowBinary hex.
        var keys: [(values: [ColumnValue], hex: String)] = []
        /// Per key, per SUM column: the sum of the positive and of the negative deltas.
        var bounds: [[Bounds]] = []
    }

    /// The sums of one measure's positive and negative deltas, saturating: a bound past every domain
    /// marks the key as at risk, which costs one recorded total.
    struct Bounds: Sendable {
        var positive = Magnitude.zero
        var negative = Magnitude.zero
    }

    /// A delta or a total in the column's arithmetic: integers and decimals (units of 10^-scale) in
    /// Int128, floats in Double. `saturated` stands for anything past every domain.
    enum Magnitude: Sendable, Equatable {
        case exact(Int128)
        case float(Double)
        case saturated

        static let zero = Magnitude.exact(0)

        static func + (a: Magnitude, b: Magnitude) -> Magnitude {
            switch (a, b) {
            case (.exact(let x), .exact(let y)):
                let (sum, overflow) = x.addingReportingOverflow(y)
                return overflow ? .saturated : .exact(sum)
            case (.float(let x), .float(let y)): return .float(x + y)
            case (.float(let x), .exact(let y)), (.exact(let y), .float(let x)): return .float(x + Double(y))
            default: return .saturated
            }
        }
    }

    /// The tables of `schema` whose SUM measures `facts` touch, with their keys and bounds. Every fact
    /// counts, also in-batch duplicates and those the write will skip as seen before: the bounds hold for
    /// any subset. One pass, keys by value (the RowBinary hex only once per key): this runs for every
    /// batch of every aggregate table.
    static func exposure(of facts: [MappedFact], schema: ProjectionSchema) -> [Exposure] {
        // Per table index: its place in `exposures`, -1 when it has no SUM measure, nil before its first row.
        var place = [Int?](repeating: nil, count: schema.tables.count)
        var exposures: [Exposure] = []
        var keyIndex: [[[ColumnValue]: Int]] = []
        for fact in facts {
            for row in fact.rows {
                let position: Int
                if let known = place[row.tableIndex] {
                    guard known >= 0 else { continue }
                    position = known
                } else {
                    let table = schema.tables[row.tableIndex]
                    let sums = table.columns.indices.filter { table.columns[$0].aggregate == .sum }
                    guard table.kind == .aggregate, !sums.isEmpty else {
                        place[row.tableIndex] = -1
                        continue
                    }
                    let keys = table.primaryKey.compactMap { name in table.columns.firstIndex { $0.name == name } }
                    position = exposures.count
                    place[row.tableIndex] = position
                    exposures.append(Exposure(table: table, sumColumns: sums, keyColumns: keys, tableIndex: row.tableIndex))
                    keyIndex.append([:])
                }
                let keyColumns = exposures[position].keyColumns
                let key = keyColumns.map { row.values[$0] }
                let k: Int
                if let found = keyIndex[position][key] {
                    k = found
                } else {
                    let table = exposures[position].table
                    // A key the table cannot hold fails the write by itself, if the write gets to it (a
                    // fact skipped as a duplicate never does): reading its total must not stall the batch.
                    guard let hex = try? keyHex(key, columns: keyColumns.map { table.columns[$0] }) else { continue }
                    k = exposures[position].keys.count
                    exposures[position].keys.append((key, hex))
                    exposures[position].bounds.append(Array(repeating: Bounds(), count: exposures[position].sumColumns.count))
                    keyIndex[position][key] = k
                }
                let sumColumns = exposures[position].sumColumns
                for (slot, column) in sumColumns.enumerated() {
                    guard let delta = magnitude(of: row.values[column], type: exposures[position].table.columns[column].type) else { continue }
                    // A float bound that is no longer finite stands for "past every domain" (and an
                    // infinite input, which the stores accept, only costs a recorded total).
                    func bounded(_ m: Magnitude) -> Magnitude {
                        if case .float(let v) = m, !v.isFinite { return .saturated }
                        return m
                    }
                    if isNegative(delta) {
                        exposures[position].bounds[k][slot].negative = bounded(exposures[position].bounds[k][slot].negative + delta)
                    } else {
                        exposures[position].bounds[k][slot].positive = bounded(exposures[position].bounds[k][slot].positive + delta)
                    }
                }
            }
        }
        return exposures.sorted { $0.tableIndex < $1.tableIndex }
    }

    /// The entries to record for `exposure`, given the stored total of each of its keys and SUM columns
    /// (`totals[key][slot]`, text as ClickHouse's `toString` writes it).
    static func entries(for exposure: Exposure, totals: [[String]]) throws -> [Entry] {
        var entries: [Entry] = []
        for (position, key) in exposure.keys.enumerated() {
            for (slot, column) in exposure.sumColumns.enumerated() {
                let schema = exposure.table.columns[column]
                let text = totals[position][slot]
                guard let stored = parseTotal(text, type: schema.type) else {
                    throw StoreError(code: .unexpectedResponse, detail: "unreadable stored total of \(exposure.table.name).\(schema.name): \(text)")
                }
                let bounds = exposure.bounds[position][slot]
                // A total already outside the domain was wrapped before this check existed (parts of an
                // earlier release not merged yet): no check can set it right, so the key is left as it was.
                guard fits(stored, stored: stored, delta: .zero, type: schema.type) else { continue }
                let atRisk = !fits(stored + bounds.positive, stored: stored, delta: bounds.positive, type: schema.type)
                    || !fits(stored + bounds.negative, stored: stored, delta: bounds.negative, type: schema.type)
                if atRisk {
                    entries.append(Entry(t: exposure.tableIndex, k: key.hex, c: schema.name, s: Self.text(of: stored, type: schema.type)))
                }
            }
        }
        return entries
    }

    // MARK: - The check

    /// Refuses (`.dataRejected`, naming the column) when a folded row takes its key's recorded total out
    /// of the column's domain, as Postgres refuses it: for integer and decimal measures the recorded total
    /// plus every running total of the batch (`SumExcursion`, so the fact refused is the one that leaves
    /// the domain in stream order, wherever batches end), for float measures plus the net (`t.c + EXCLUDED.c`).
    func check(_ folded: RowAccumulator) throws {
        guard !entries.isEmpty else { return }
        var byTable: [Int: [String: [(column: String, total: String)]]] = [:]
        for entry in entries { byTable[entry.t, default: [:]][entry.k, default: []].append((entry.c, entry.s)) }
        for (table, tableIndex, _) in folded.rowsByTable {
            guard let recorded = byTable[tableIndex] else { continue }
            let keyColumns = table.primaryKey.compactMap { name in table.columns.firstIndex { $0.name == name } }
            // The total each recorded key and column stands at before the next segment.
            var totals: [String: Magnitude] = [:]
            let (sumColumns, segments) = folded.segments(table: tableIndex)
            for (rows, excursions) in segments {
                for (rowIndex, row) in rows.enumerated() {
                    let hex = try Self.keyHex(keyColumns.map { row[$0] }, columns: keyColumns.map { table.columns[$0] })
                    guard let recordedTotals = recorded[hex] else { continue }
                    for (name, text) in recordedTotals {
                        // A column the schema no longer has (dropped by a migration between the attempts) cannot overflow.
                        guard let index = table.columns.firstIndex(where: { $0.name == name }) else { continue }
                        let type = table.columns[index].type
                        let slotKey = hex + "\u{0}" + name
                        let stored: Magnitude
                        if let running = totals[slotKey] {
                            stored = running
                        } else {
                            guard let parsed = Self.parseTotal(text, type: type) else {
                                throw StoreError(code: .unexpectedResponse, detail: "unreadable recorded total of \(table.name).\(name): \(text)")
                            }
                            stored = parsed
                        }
                        guard let delta = Self.magnitude(of: row[index], type: type) else { continue }
                        let fits: Bool
                        if case .exact(let exact) = stored, let slot = sumColumns.firstIndex(of: index),
                           excursions.indices.contains(rowIndex * sumColumns.count + slot) {
                            fits = excursions[rowIndex * sumColumns.count + slot].fits(stored: exact, type: type)
                        } else {
                            fits = Self.fits(stored + delta, stored: stored, delta: delta, type: type)
                        }
                        if !fits {
                            throw StoreError(
                                code: .dataRejected,
                                detail: "the stored total of column \(table.name).\(name) plus this batch's leaves the \(type.canonicalName) domain")
                        }
                        totals[slotKey] = stored + delta
                    }
                }
            }
        }
    }

    // MARK: - Arithmetic of the domains (RowAccumulator.sum's, and Postgres's)

    /// A value as the guard adds it: a float column's as a double, an exact one's in units
    /// (`SumExcursion.units`: int64/uint64 values of integer columns, decimal text at its scale).
    static func magnitude(of value: ColumnValue, type: ColumnType) -> Magnitude? {
        switch (value, type) {
        case (.float64(let v), _): return .float(v)
        case (.int64(let v), .float64): return .float(Double(v))
        case (.uint64(let v), .float64): return .float(Double(v))
        default: return SumExcursion.units(of: value, type: type).map(Magnitude.exact)
        }
    }

    static func isNegative(_ m: Magnitude) -> Bool {
        switch m {
        case .exact(let v): return v < 0
        case .float(let v): return v < 0
        case .saturated: return false
        }
    }

    /// Whether `total` = `stored` + `delta` lies in `type`'s domain (`SumDomain`, the fold's rules).
    static func fits(_ total: Magnitude, stored: Magnitude, delta: Magnitude, type: ColumnType) -> Bool {
        if case .float64 = type {
            guard case .float(let v) = total else { return false }
            return SumDomain.accepts(floatSum: v, of: double(stored), double(delta))
        }
        switch total {
        case .exact(let v): return SumDomain.contains(v, type: type)
        case .float, .saturated: return false
        }
    }

    /// A float column's operand (the zero of an untouched bound is exact).
    private static func double(_ m: Magnitude) -> Double {
        switch m {
        case .exact(let v): return Double(v)
        case .float(let v): return v
        case .saturated: return .infinity
        }
    }

    /// A stored total as ClickHouse's `toString` writes it: an integer, a decimal (trailing zeros may be
    /// trimmed) or a float (`inf`, `nan` included).
    static func parseTotal(_ text: String, type: ColumnType) -> Magnitude? {
        switch type {
        case .float64: return Double(text).map(Magnitude.float)
        case .decimal(_, let scale):
            guard case .success(let canonical) = DecimalText.canonical(text, precision: 76, scale: scale) else { return nil }
            return DecimalText.units(canonical, scale: scale).map(Magnitude.exact)
        default: return Int128(text).map(Magnitude.exact)
        }
    }

    static func text(of total: Magnitude, type: ColumnType) -> String {
        switch (total, type) {
        case (.exact(let v), .decimal(_, let scale)): return DecimalText.text(units: v, scale: scale)
        case (.exact(let v), _): return String(v)
        case (.float(let v), _): return "\(v)"
        case (.saturated, _): return "saturated"
        }
    }

    /// The key's RowBinary bytes in hex: how `check` finds a folded row's recorded totals.
    static func keyHex(_ values: [ColumnValue], columns: [ColumnSchema]) throws -> String {
        var w = RowBinaryWriter(reservingCapacity: 32)
        for (value, column) in zip(values, columns) {
            try ClickHouseProjectionStore.write(value, type: column.type, nullable: false, into: &w) { column.name }
        }
        return Hex.lowercase(w.take())
    }
}
