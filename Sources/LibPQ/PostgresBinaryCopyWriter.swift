import Foundation

/// Encodes rows in Postgres' binary COPY format (`COPY … FROM STDIN (FORMAT binary)`); no I/O.
///
/// `init` writes the header, `finish()` the trailer. Per row call `beginRow(fieldCount:)`, then one
/// `write…` per column, in table column order; each writer must match the column's type exactly
/// (binary COPY does no conversion: an `int4` column needs `writeInt4`). `numeric` has no binary
/// writer (its base-10000 encoding is not worth the risk); COPY numeric columns in text format or
/// load them as float8/int8/text. Drain the bytes with `takeBytes()` as you go to bound memory.
public struct PostgresBinaryCopyWriter: Sendable {
    /// The 11-byte signature every binary COPY stream starts with.
    public static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

    /// 2000-01-01T00:00:00Z in Unix seconds: Postgres' epoch for dates and timestamps.
    static let postgresEpoch: Int64 = 946_684_800

    /// The encoded bytes not yet taken.
    public private(set) var bytes: [UInt8] = []

    /// Starts a stream: the signature, flags (0) and an empty header extension.
    public init() {
        bytes.reserveCapacity(64 * 1024)
        bytes += Self.signature
        appendInteger(Int32(0))
        appendInteger(Int32(0))
    }

    /// Returns the bytes encoded so far and forgets them.
    public mutating func takeBytes() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    /// Starts a row of `fieldCount` columns.
    public mutating func beginRow(fieldCount: Int) {
        appendInteger(Int16(truncatingIfNeeded: fieldCount))
    }

    /// Ends the stream (the -1 field-count trailer). Write nothing after it.
    public mutating func finish() {
        appendInteger(Int16(-1))
    }

    /// SQL NULL for any column type.
    public mutating func writeNull() {
        appendInteger(Int32(-1))
    }

    /// `smallint` (int2).
    public mutating func writeInt2(_ value: Int16) { appendField(value) }
    /// `integer` (int4).
    public mutating func writeInt4(_ value: Int32) { appendField(value) }
    /// `bigint` (int8).
    public mutating func writeInt8(_ value: Int64) { appendField(value) }
    /// `real` (float4).
    public mutating func writeFloat4(_ value: Float) { appendField(value.bitPattern) }
    /// `double precision` (float8).
    public mutating func writeFloat8(_ value: Double) { appendField(value.bitPattern) }

    /// `boolean`.
    public mutating func writeBool(_ value: Bool) {
        appendInteger(Int32(1))
        bytes.append(value ? 1 : 0)
    }

    /// `text`, `varchar`, `char`, `name` or `json`: UTF-8 bytes. Postgres rejects NUL characters.
    public mutating func writeText(_ value: String) {
        appendRaw(Array(value.utf8))
    }

    /// `jsonb` (version byte 1, then the JSON text).
    public mutating func writeJSONB(_ json: String) {
        let utf8 = Array(json.utf8)
        appendInteger(Int32(utf8.count + 1))
        bytes.append(1)
        bytes += utf8
    }

    /// `bytea`.
    public mutating func writeBytea(_ value: [UInt8]) {
        appendRaw(value)
    }

    /// `uuid`.
    public mutating func writeUUID(_ value: UUID) {
        let u = value.uuid
        appendRaw([u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15])
    }

    /// `date` from a calendar date (proleptic Gregorian).
    public mutating func writeDate(year: Int, month: Int, day: Int) {
        let days = PostgresValue.daysSinceUnixEpoch(year: year, month: month, day: day) - Self.postgresEpoch / 86_400
        appendField(Int32(truncatingIfNeeded: days))
    }

    /// `date`: the UTC calendar day containing `date`.
    public mutating func writeDate(_ date: Date) {
        let unixDays = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
        appendField(Int32(truncatingIfNeeded: unixDays - Self.postgresEpoch / 86_400))
    }

    /// `timestamptz` (or `timestamp`, as UTC), rounded to microseconds.
    public mutating func writeTimestamptz(_ date: Date) {
        let unixMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        writeTimestamptz(microsecondsSincePostgresEpoch: unixMicros - Self.postgresEpoch * 1_000_000)
    }

    /// `timestamptz` as microseconds since 2000-01-01T00:00:00Z (the wire value).
    public mutating func writeTimestamptz(microsecondsSincePostgresEpoch micros: Int64) {
        appendField(micros)
    }

    private mutating func appendField<T: FixedWidthInteger>(_ value: T) {
        appendInteger(Int32(MemoryLayout<T>.size))
        appendInteger(value)
    }

    private mutating func appendRaw(_ value: [UInt8]) {
        appendInteger(Int32(value.count))
        bytes += value
    }

    private mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
