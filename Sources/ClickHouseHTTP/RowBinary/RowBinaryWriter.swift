import Foundation

/// Encodes values in ClickHouse's RowBinary format (little-endian, LEB128 lengths) into a
/// byte array. Pure: no I/O. Write each row's columns in table order.
public struct RowBinaryWriter: Sendable {
    /// The encoded bytes so far.
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Number of bytes written.
    public var count: Int { bytes.count }

    /// Returns the bytes and empties the writer, e.g. to hand a chunk to a streamed insert.
    public mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    // MARK: Integers and floats

    /// Any fixed-width integer, little-endian (UInt8…UInt64, Int8…Int64).
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }
    public mutating func writeUInt16(_ value: UInt16) { write(value) }
    public mutating func writeUInt32(_ value: UInt32) { write(value) }
    public mutating func writeUInt64(_ value: UInt64) { write(value) }
    public mutating func writeInt8(_ value: Int8) { write(value) }
    public mutating func writeInt16(_ value: Int16) { write(value) }
    public mutating func writeInt32(_ value: Int32) { write(value) }
    public mutating func writeInt64(_ value: Int64) { write(value) }

    /// Float32, IEEE 754 little-endian.
    public mutating func writeFloat32(_ value: Float) { write(value.bitPattern) }
    /// Float64, IEEE 754 little-endian.
    public mutating func writeFloat64(_ value: Double) { write(value.bitPattern) }

    /// Bool: one byte, 0 or 1.
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Unsigned LEB128 (the length prefix of strings and arrays).
    public mutating func writeLEB128(_ value: UInt64) {
        var rest = value
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while rest != 0
    }

    // MARK: Strings

    /// String (and LowCardinality(String)): LEB128 byte length, then UTF-8 bytes.
    public mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeLEB128(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// String from raw bytes (ClickHouse strings are byte strings).
    public mutating func writeString<Bytes: Collection>(bytes value: Bytes) where Bytes.Element == UInt8 {
        writeLEB128(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// FixedString(N): exactly `length` bytes, zero-padded; longer input is truncated.
    public mutating func writeFixedString(_ value: String, length: Int) {
        let utf8 = Array(value.utf8.prefix(length))
        bytes.append(contentsOf: utf8)
        bytes.append(contentsOf: repeatElement(0, count: length - utf8.count))
    }

    // MARK: Dates and times

    /// Date: UInt16 days since 1970-01-01.
    public mutating func writeDate(daysSinceEpoch days: UInt16) { write(days) }

    /// Date from a point in time (UTC day), clamped to Date's range 1970-01-01…2149-06-06.
    public mutating func writeDate(_ date: Date) {
        let days = Self.daysSinceEpoch(date)
        write(UInt16(clamping: days))
    }

    /// Date32: Int32 days since 1970-01-01 (negative before).
    public mutating func writeDate32(daysSinceEpoch days: Int32) { write(days) }

    /// Date32 from a point in time (UTC day).
    public mutating func writeDate32(_ date: Date) { write(Int32(clamping: Self.daysSinceEpoch(date))) }

    /// DateTime: UInt32 seconds since the epoch.
    public mutating func writeDateTime(secondsSinceEpoch seconds: UInt32) { write(seconds) }

    /// DateTime from a point in time (whole seconds, rounded down), clamped to UInt32.
    public mutating func writeDateTime(_ date: Date) {
        write(UInt32(clamping: Int64(date.timeIntervalSince1970.rounded(.down))))
    }

    /// DateTime64(P): Int64 ticks of 10^-P seconds since the epoch.
    public mutating func writeDateTime64(ticks: Int64) { write(ticks) }

    /// DateTime64(precision) from a point in time, rounded down to the precision (default 3 = ms).
    public mutating func writeDateTime64(_ date: Date, precision: Int = 3) {
        let scale = pow(10.0, Double(precision))
        write(Int64((date.timeIntervalSince1970 * scale).rounded(.down)))
    }

    // MARK: UUID

    /// UUID: ClickHouse stores it as two little-endian UInt64 halves, so each 8-byte half of the
    /// RFC 4122 byte order is written reversed.
    public mutating func writeUUID(_ uuid: UUID) {
        let raw = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        bytes.append(contentsOf: raw[0..<8].reversed())
        bytes.append(contentsOf: raw[8..<16].reversed())
    }

    // MARK: Nullable and arrays

    /// Nullable(T): a 1 byte for NULL; otherwise 0 followed by the value written by `write`.
    public mutating func writeNullable<T>(_ value: T?, _ write: (inout RowBinaryWriter, T) -> Void) {
        if let value {
            bytes.append(0)
            write(&self, value)
        } else {
            bytes.append(1)
        }
    }

    /// Array(T): LEB128 element count, then each element written by `write`.
    public mutating func writeArray<Elements: Collection>(
        _ elements: Elements, _ write: (inout RowBinaryWriter, Elements.Element) -> Void
    ) {
        writeLEB128(UInt64(elements.count))
        for element in elements { write(&self, element) }
    }

    /// Appends bytes that are already RowBinary-encoded.
    public mutating func writeRaw<Bytes: Sequence>(_ raw: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    private static func daysSinceEpoch(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }
}
