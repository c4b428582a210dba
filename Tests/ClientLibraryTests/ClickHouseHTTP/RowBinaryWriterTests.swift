import Foundation
import Testing
@testable import ClickHouseHTTP

@Suite("RowBinaryWriter")
struct RowBinaryWriterTests {
    @Test func integersAreLittleEndian() {
        var writer = RowBinaryWriter()
        writer.writeUInt8(0xAB)
        writer.writeUInt16(0x0102)
        writer.writeUInt32(0x0102_0304)
        writer.writeUInt64(0x0102_0304_0506_0708)
        #expect(writer.bytes == [0xAB, 0x02, 0x01, 0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01])
    }

    @Test func signedIntegersAreTwosComplement() {
        var writer = RowBinaryWriter()
        writer.writeInt8(-1)
        writer.writeInt16(-2)
        writer.writeInt32(-3)
        writer.writeInt64(-4)
        #expect(writer.bytes == [0xFF, 0xFE, 0xFF, 0xFD, 0xFF, 0xFF, 0xFF, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func floatsAreIEEE754() {
        var writer = RowBinaryWriter()
        writer.writeFloat64(1.5)
        writer.writeFloat32(-2)
        #expect(writer.bytes == [0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0, 0, 0, 0xC0])
    }

    @Test func boolIsOneByte() {
        var writer = RowBinaryWriter()
        writer.writeBool(true)
        writer.writeBool(false)
        #expect(writer.bytes == [1, 0])
    }

    @Test(arguments: [
        (UInt64(0), [UInt8(0x00)]),
        (UInt64(127), [UInt8(0x7F)]),
        (UInt64(128), [UInt8(0x80), 0x01]),
        (UInt64(300), [UInt8(0xAC), 0x02]),
        (UInt64(16_384), [UInt8(0x80), 0x80, 0x01]),
        (UInt64.max, [UInt8(0xFF), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ] as [(UInt64, [UInt8])])
    func leb128(value: UInt64, expected: [UInt8]) {
        var writer = RowBinaryWriter()
        writer.writeLEB128(value)
        #expect(writer.bytes == expected)
    }

    @Test func stringsHaveLEB128LengthAndUTF8Bytes() {
        var writer = RowBinaryWriter()
        writer.writeString("hé")
        writer.writeString("")
        writer.writeString(String(repeating: "a", count: 200))
        #expect(Array(writer.bytes.prefix(5)) == [3, 0x68, 0xC3, 0xA9, 0])
        #expect(Array(writer.bytes[5..<7]) == [0xC8, 0x01])
        #expect(writer.count == 5 + 2 + 200)
    }

    @Test func fixedStringIsPaddedAndTruncated() {
        var writer = RowBinaryWriter()
        writer.writeFixedString("ab", length: 4)
        writer.writeFixedString("abcdef", length: 3)
        #expect(writer.bytes == [0x61, 0x62, 0, 0, 0x61, 0x62, 0x63])
    }

    @Test func datesAndTimes() {
        var writer = RowBinaryWriter()
        // 2024-01-02T03:04:05.5Z: day 19724, second 1704164645 (.5 is exact in binary).
        let date = Date(timeIntervalSince1970: 1_704_164_645.5)
        writer.writeDate(date)
        writer.writeDate32(Date(timeIntervalSince1970: -86_400))
        writer.writeDateTime(date)
        writer.writeDateTime64(date)
        #expect(Array(writer.bytes[0..<2]) == [0x0C, 0x4D])  // 19724 = 0x4D0C
        #expect(Array(writer.bytes[2..<6]) == [0xFF, 0xFF, 0xFF, 0xFF])  // -1
        #expect(Array(writer.bytes[6..<10]) == [0x25, 0x7D, 0x93, 0x65])  // 0x65937D25
        // 1704164645500 ms = 0x0000018CC820DA7C
        #expect(Array(writer.bytes[10..<18]) == [0x7C, 0xDA, 0x20, 0xC8, 0x8C, 0x01, 0x00, 0x00])
    }

    @Test func dateBeforeEpochClampsToZero() {
        var writer = RowBinaryWriter()
        writer.writeDate(Date(timeIntervalSince1970: -1))
        #expect(writer.bytes == [0, 0])
    }

    @Test func nullableHasMarkerByte() {
        var writer = RowBinaryWriter()
        writer.writeNullable(UInt16(7)) { $0.writeUInt16($1) }
        writer.writeNullable(UInt16?.none) { $0.writeUInt16($1) }
        writer.writeNullable("x") { $0.writeString($1) }
        #expect(writer.bytes == [0, 7, 0, 1, 0, 1, 0x78])
    }

    @Test func arrayHasCountPrefix() {
        var writer = RowBinaryWriter()
        writer.writeArray([UInt8(1), 2, 3]) { $0.writeUInt8($1) }
        #expect(writer.bytes == [3, 1, 2, 3])
    }

    @Test func uuidHalvesAreReversed() throws {
        var writer = RowBinaryWriter()
        let uuid = try #require(UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF"))
        writer.writeUUID(uuid)
        #expect(writer.bytes == [0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
                                 0xFF, 0xEE, 0xDD, 0xCC, 0xBB, 0xAA, 0x99, 0x88])
    }

    @Test func takeEmptiesTheWriter() {
        var writer = RowBinaryWriter()
        writer.writeUInt8(9)
        #expect(writer.take() == [9])
        #expect(writer.count == 0)
    }
}
