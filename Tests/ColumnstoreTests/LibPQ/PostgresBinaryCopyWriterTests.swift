import Foundation
import Testing
import LibPQ

@Suite("PostgresBinaryCopyWriter encoding")
struct PostgresBinaryCopyWriterTests {
    static let header: [UInt8] = [
        0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00,  // PGCOPY\n\377\r\n\0
        0, 0, 0, 0,  // flags
        0, 0, 0, 0,  // header extension length
    ]

    /// Encodes one row with `body` and returns only that row's bytes.
    private func row(_ fieldCount: Int, _ body: (inout PostgresBinaryCopyWriter) -> Void) -> [UInt8] {
        var writer = PostgresBinaryCopyWriter()
        _ = writer.takeBytes()
        writer.beginRow(fieldCount: fieldCount)
        body(&writer)
        return writer.takeBytes()
    }

    @Test func headerAndTrailer() {
        var writer = PostgresBinaryCopyWriter()
        #expect(writer.bytes == Self.header)
        writer.finish()
        #expect(writer.bytes == Self.header + [0xFF, 0xFF])
    }

    @Test func integersAreBigEndianWithLengths() {
        #expect(row(3) { $0.writeInt2(-2); $0.writeInt4(1); $0.writeInt8(0x0102_0304_0506_0708) } == [
            0x00, 0x03,
            0, 0, 0, 2, 0xFF, 0xFE,
            0, 0, 0, 4, 0, 0, 0, 1,
            0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,
        ])
    }

    @Test func nullIsMinusOneLength() {
        #expect(row(1) { $0.writeNull() } == [0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func floatsAndBool() {
        #expect(row(3) { $0.writeFloat8(1.0); $0.writeFloat4(-2.0); $0.writeBool(true) } == [
            0x00, 0x03,
            0, 0, 0, 8, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 4, 0xC0, 0x00, 0, 0,
            0, 0, 0, 1, 1,
        ])
    }

    @Test func textIsUTF8AndJSONBHasVersionByte() {
        #expect(row(2) { $0.writeText("hé"); $0.writeJSONB("{}") } == [
            0x00, 0x02,
            0, 0, 0, 3, 0x68, 0xC3, 0xA9,
            0, 0, 0, 3, 1, 0x7B, 0x7D,
        ])
    }

    @Test func byteaAndUUID() {
        let uuid = UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF")!
        #expect(row(2) { $0.writeBytea([0, 0xFF]); $0.writeUUID(uuid) } == [
            0x00, 0x02,
            0, 0, 0, 2, 0x00, 0xFF,
            0, 0, 0, 16, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
            0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
        ])
    }

    @Test func datesCountDaysFrom2000() {
        #expect(row(3) {
            $0.writeDate(year: 2000, month: 1, day: 2)
            $0.writeDate(year: 1999, month: 12, day: 31)
            $0.writeDate(year: 2024, month: 2, day: 29)
        } == [
            0x00, 0x03,
            0, 0, 0, 4, 0, 0, 0, 1,
            0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF,
            0, 0, 0, 4, 0x00, 0x00, 0x22, 0x79,  // 8825 days
        ])
        // 2000-01-01T23:59:59Z is still day 0; the instant before 2000 is day -1.
        #expect(row(1) { $0.writeDate(Date(timeIntervalSince1970: 946_684_800 + 86_399)) }.suffix(4) == [0, 0, 0, 0])
        #expect(row(1) { $0.writeDate(Date(timeIntervalSince1970: 946_684_799)) }.suffix(4) == [0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func timestamptzCountsMicrosecondsFrom2000() {
        #expect(row(1) { $0.writeTimestamptz(Date(timeIntervalSince1970: 946_684_801.5)) } == [
            0x00, 0x01, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0x16, 0xE3, 0x60,  // 1_500_000
        ])
        #expect(row(1) { $0.writeTimestamptz(microsecondsSincePostgresEpoch: -1) }.suffix(8) == [UInt8](repeating: 0xFF, count: 8))
    }

    @Test func takeBytesDrains() {
        var writer = PostgresBinaryCopyWriter()
        #expect(writer.takeBytes() == Self.header)
        #expect(writer.bytes.isEmpty)
    }
}
