import Foundation
import Testing
@testable import LibPQ

@Suite("PostgresValue text encoding")
struct PostgresValueTests {
    @Test func scalars() {
        #expect(PostgresValue.int64(-42).textEncoding == "-42")
        #expect(PostgresValue.bool(true).textEncoding == "t")
        #expect(PostgresValue.double(0.1).textEncoding == "0.1")
        #expect(PostgresValue.double(-.infinity).textEncoding == "-Infinity")
        #expect(PostgresValue.double(.nan).textEncoding == "NaN")
        #expect(PostgresValue.null.textEncoding == nil)
        #expect(PostgresValue.bytea([0x00, 0xAB]).textEncoding == "\\x00ab")
        #expect(PostgresValue.date(year: 2024, month: 3, day: 7).textEncoding == "2024-03-07")
    }

    @Test func timestamps() {
        #expect(PostgresValue.timestamptz(microseconds: 0).textEncoding == "1970-01-01 00:00:00.000000+00")
        #expect(PostgresValue.timestamptz(microseconds: 1_709_251_199_250_000).textEncoding == "2024-02-29 23:59:59.250000+00")
        #expect(PostgresValue.timestamptz(microseconds: -500_000).textEncoding == "1969-12-31 23:59:59.500000+00")
        // Exact at the far end of the domain (a Date's Double was a microsecond off here).
        #expect(PostgresValue.timestamptz(microseconds: 8_760_305_316_773_000).textEncoding == "2247-08-09 10:08:36.773000+00")
        #expect(PostgresValue.timestamptz(microseconds: 10_413_791_999_999_000).textEncoding == "2299-12-31 23:59:59.999000+00")
        #expect(PostgresValue.timestamptz(microseconds: -2_208_988_800_000_000).textEncoding == "1900-01-01 00:00:00.000000+00")
    }

    @Test func literals() {
        let values: [PostgresValue] = ["a", 1, 2.5, true, nil]
        #expect(values == [.text("a"), .int64(1), .double(2.5), .bool(true), .null])
    }

    @Test func rowAccessorsParseTextFormat() {
        #expect(PostgresRow.parseBytea("\\x00ab") == [0x00, 0xAB])
        #expect(PostgresRow.parseBytea("00ab") == nil)
        #expect(PostgresRow.parseBool("t") == true)
        #expect(PostgresRow.parseDouble("-Infinity") == -.infinity)
    }
}
