@testable import Columnstore
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// Query answers decode every ClickHouse wrapper type, and a value decodes to the same
/// `ColumnValue` from ClickHouse's JSONCompact cell as from Postgres's text (so the API renders
/// the same JSON for both). Pure: no store.
@Suite("Query value decoding")
struct QueryValueDecodingTests {
    @Test("wrappers unwrap to the value type, in any nesting", arguments: [
        ("Float64", "Float64"),
        ("Nullable(Float64)", "Float64"),
        ("LowCardinality(String)", "String"),
        ("LowCardinality(Nullable(String))", "String"),
        ("SimpleAggregateFunction(min, Float64)", "Float64"),
        ("SimpleAggregateFunction(min, Nullable(Float64))", "Float64"),
        ("SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC')))", "DateTime64(3, 'UTC')"),
        ("SimpleAggregateFunction(sum, Decimal(38, 2))", "Decimal(38, 2)"),
        ("SimpleAggregateFunction(anyLast, LowCardinality(Nullable(String)))", "String"),
        ("Nullable(Decimal(10, 2))", "Decimal(10, 2)"),
        ("DateTime64(3, 'Europe/Berlin')", "DateTime64(3, 'Europe/Berlin')"),
        ("Array(Nullable(Int64))", "Array(Nullable(Int64))"),
        ("AggregateFunction(uniq, String)", "AggregateFunction(uniq, String)"),
    ])
    func baseType(raw: String, expected: String) {
        #expect(ClickHouseTypeName.base(raw) == expected)
    }

    @Test("decimal scales", arguments: [
        ("Decimal(10, 2)", 2), ("Decimal(38,0)", 0), ("Decimal(9)", 0), ("Decimal32(4)", 4),
        ("Decimal64(3)", 3), ("Decimal128(20)", 20), ("Decimal256(1)", 1),
    ])
    func decimalScale(type: String, scale: Int) {
        #expect(ClickHouseTypeName.decimalScale(type) == scale)
    }

    @Test func nonDecimalsHaveNoScale() {
        for type in ["Float64", "Decimal", "Decimal(a, b)", "Int64", "DateTime64(3, 'UTC')"] {
            #expect(ClickHouseTypeName.decimalScale(type) == nil, "\(type)")
        }
    }

    @Test func typeArgumentsSplitAtTopLevelOnly() {
        let split = ClickHouseTypeName.split("SimpleAggregateFunction(min, Tuple(a Int8, b String))")
        #expect(split?.name == "SimpleAggregateFunction")
        #expect(split?.arguments == ["min", "Tuple(a Int8, b String)"])
        #expect(ClickHouseTypeName.split("DateTime64(3, 'a,b(c')")?.arguments == ["3", "'a,b(c'"])
        #expect(ClickHouseTypeName.split("String") == nil)
    }

    /// (ClickHouse type, JSONCompact cell, Postgres type OID, Postgres text, expected value).
    static let sameOnBothStores: [(String, JSONValue, UInt32, String, ColumnValue)] = [
        ("Int8", .number("-128"), 21, "-128", .int64(-128)),
        ("UInt8", .number("255"), 21, "255", .int64(255)),
        ("Int16", .number("-32768"), 21, "-32768", .int64(-32768)),
        ("UInt16", .number("65535"), 23, "65535", .int64(65535)),
        ("Int32", .number("-2147483648"), 23, "-2147483648", .int64(-2_147_483_648)),
        ("UInt32", .number("4294967295"), 20, "4294967295", .int64(4_294_967_295)),
        ("Int64", .string("-9223372036854775808"), 20, "-9223372036854775808", .int64(.min)),
        ("Nullable(Int64)", .string("9223372036854775807"), 20, "9223372036854775807", .int64(.max)),
        ("Float64", .number("0.15832928596944662"), 701, "0.15832928596944662", .float64(0.15832928596944662)),
        ("Float64", .number("1e300"), 701, "1e+300", .float64(1e300)),
        ("Float64", .number("5e-324"), 701, "5e-324", .float64(5e-324)),
        ("Float64", .number("-1.7976931348623157e308"), 701, "-1.7976931348623157e+308", .float64(-1.7976931348623157e308)),
        ("Float32", .number("0.1"), 700, "0.1", .float64(0.1)),
        ("SimpleAggregateFunction(min, Float64)", .number("2.5"), 701, "2.5", .float64(2.5)),
        ("SimpleAggregateFunction(min, Nullable(Float64))", .number("-3.25"), 701, "-3.25", .float64(-3.25)),
        ("Bool", .bool(true), 16, "t", .bool(true)),
        ("Nullable(Bool)", .bool(false), 16, "f", .bool(false)),
        ("Decimal(10, 2)", .number("12.30"), 1700, "12.30", .string("12.30")),
        ("Decimal(10, 2)", .number("-0.50"), 1700, "-0.50", .string("-0.50")),
        ("Decimal(10, 2)", .number("0.00"), 1700, "0.00", .string("0.00")),
        ("Decimal(38, 3)", .number("123456789012345678901234.500"), 1700, "123456789012345678901234.500",
         .string("123456789012345678901234.500")),
        ("Decimal(18, 0)", .number("-42"), 1700, "-42", .int64(-42)),
        ("SimpleAggregateFunction(sum, Decimal(38, 2))", .number("100.10"), 1700, "100.10", .string("100.10")),
        ("Date", .string("1970-01-01"), 1082, "1970-01-01", .date(0)),
        ("Date", .string("2149-06-06"), 1082, "2149-06-06", .date(65535)),
        ("Date32", .string("1900-01-01"), 1082, "1900-01-01", .date(-25567)),
        ("DateTime64(3, 'UTC')", .string("2026-03-01T10:15:00.123Z"), 1184, "2026-03-01 10:15:00.123+00",
         .timestamp(1_772_360_100_123)),
        ("Nullable(DateTime64(3, 'UTC'))", .string("1900-01-01T00:00:00.001Z"), 1184, "1900-01-01 00:00:00.001+00",
         .timestamp(-2_208_988_799_999)),
        ("DateTime('UTC')", .string("2026-03-01T10:15:00Z"), 1184, "2026-03-01 10:15:00+00", .timestamp(1_772_360_100_000)),
        ("DateTime", .string("2026-03-01T10:15:00Z"), 1114, "2026-03-01 10:15:00", .timestamp(1_772_360_100_000)),
        ("LowCardinality(Nullable(String))", .string("Code: 1. DB::Exception: boom"), 25, "Code: 1. DB::Exception: boom",
         .string("Code: 1. DB::Exception: boom")),
    ]

    @Test("a value decodes the same from both stores", arguments: sameOnBothStores.indices)
    func sameOnBothStores(index: Int) {
        let (type, cell, oid, text, expected) = Self.sameOnBothStores[index]
        #expect(ClickHouseQueryExecutor.cellValue(cell, type: type) == expected, "\(type)")
        #expect(PostgresQueryExecutor.cellValue(text, typeOID: oid) == expected, "oid \(oid)")
    }

    @Test func nullDecodesAsNullUnderEveryWrapper() {
        for type in ["Nullable(Float64)", "SimpleAggregateFunction(min, Nullable(Float64))", "Nullable(Decimal(10, 2))",
                     "LowCardinality(Nullable(String))", "Nullable(Date)"] {
            #expect(ClickHouseQueryExecutor.cellValue(.null, type: type) == .null, "\(type)")
        }
    }

    @Test func decimalsGetTheirScaleEvenWithoutTrailingZeros() {
        // A server without output_format_decimal_trailing_zeros prints 12.3 for 12.30.
        #expect(ClickHouseQueryExecutor.cellValue(.number("12.3"), type: "Decimal(10, 2)") == .string("12.30"))
        #expect(ClickHouseQueryExecutor.cellValue(.number("12"), type: "Decimal64(2)") == .string("12.00"))
        #expect(ClickHouseQueryExecutor.cellValue(.number("-7"), type: "Decimal(9, 0)") == .int64(-7))
    }

    @Test func negativeZeroDecodesToTheSameDouble() {
        let clickhouse = ClickHouseQueryExecutor.cellValue(.number("-0"), type: "Float64")
        let postgres = PostgresQueryExecutor.cellValue("-0", typeOID: 701)
        #expect(clickhouse == postgres)
    }

    @Test func plainDateTimeTextIsUTC() {
        // Without date_time_output_format=iso (older callers): `YYYY-MM-DD hh:mm:ss.fff` in UTC.
        #expect(ClickHouseQueryExecutor.cellValue(.string("2026-03-01 10:15:00.123"), type: "DateTime64(3, 'UTC')")
            == .timestamp(1_772_360_100_123))
    }

    /// Postgres timestamps are parsed on their bytes; over generated texts — every offset form Postgres
    /// prints, fractions of any length, BC and far years, infinities, stray characters, non-ASCII —
    /// the answer is the string rewrite's, value for value.
    @Test func timestampBytesParseAgreesWithTheStringRewrite() {
        var state: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        func pick(_ options: [String]) -> String { options[next(options.count)] }
        var parsed = 0
        for _ in 0..<5_000 {
            let date = pick(["2026-03-01", "1970-01-01", "0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29", "1969-12-31", "12345-01-01", "2026-13-01"])
            let time = pick(["10:15:00", "00:00:00", "23:59:59", "23:59:60", "24:00:00", "1:2:3"])
            let fraction = pick(["", ".1", ".123", ".123456", ".000001", ".9999999", "."])
            let offset = pick(["+00", "-00", "+05:30", "-03", "+05:30:15", "+14", "Z", "", "+", "+00:", "-12:00:00"])
            let tail = pick(["", "", "", " BC", "x", "é", " "])
            let separator = pick([" ", " ", "T", "t", "  "])
            let text = next(40) == 0 ? pick(["infinity", "-infinity", "not a timestamp", "2026-03-01"]) : date + separator + time + fraction + offset + tail
            let bytes = PostgresQueryExecutor.parseTimestamp(text)
            let string = PostgresQueryExecutor.parseTimestampText(text)
            #expect(bytes == string, "\(text)")
            if bytes != nil { parsed += 1 }
        }
        #expect(parsed > 500, "\(parsed) of 5,000 parsed")
        #expect(PostgresQueryExecutor.parseTimestamp("2026-03-01 10:15:00.123456+00") == 1_772_360_100_123)
        #expect(PostgresQueryExecutor.parseTimestamp("2026-03-01 10:15:00") == 1_772_360_100_000)
        #expect(PostgresQueryExecutor.parseTimestamp("2026-03-01 15:45:00+05:30") == 1_772_360_100_000)
    }

    /// The per-query settings and timestamp parameters are spelled without Foundation's formatting;
    /// the text is what `String(format: "%.3f")` and the `T` → space rewrite gave.
    @Test func clickHouseQueryTextsMatchTheirFoundationSpelling() {
        for millis: Int64 in [1, 9, 10, 99, 100, 999, 1_000, 1_001, 1_500, 29_999, 30_000, 86_400_123, 3_600_000_007] {
            #expect(ClickHouseQueryExecutor.seconds(milliseconds: millis) == String(format: "%.3f", Double(millis) / 1000))
        }
        var state: UInt64 = 3
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let millis = Int64(bitPattern: state >> 1) % 400_000_000_000_000 - 62_000_000_000_000
            let text = RFC3339.format(milliseconds: millis).dropLast()
            let expected = (text.contains(".") ? String(text) : String(text) + ".000").replacingOccurrences(of: "T", with: " ")
            #expect(ClickHouseQueryExecutor.encodeParameter(.timestamp(millis)) == expected, "\(millis)")
            let seconds = 1 + Int64(state % 4_000_000_000)
            #expect(ClickHouseQueryExecutor.seconds(milliseconds: seconds) == String(format: "%.3f", Double(seconds) / 1000))
        }
    }

    @Test func malformedCellsAreRejected() {
        #expect(ClickHouseQueryExecutor.cellValue(.string("x"), type: "Decimal(10, 2)") == nil)
        #expect(ClickHouseQueryExecutor.cellValue(.string("1e5"), type: "Decimal(10, 2)") == nil)
        #expect(ClickHouseQueryExecutor.cellValue(.string("1."), type: "Decimal(10, 2)") == nil)
        #expect(ClickHouseQueryExecutor.cellValue(.string("2026-13-01"), type: "Date") == nil)
        #expect(ClickHouseQueryExecutor.cellValue(.bool(true), type: "String") == nil)
    }

    @Test func wholeJSONCompactAnswerDecodes() throws {
        // As the server writes it (types JSON-escaped); a MIN measure used to answer 500 here.
        let body = #"""
            {"meta":[{"name":"day","type":"Date"},{"name":"low","type":"SimpleAggregateFunction(min, Nullable(Float64))"},
            {"name":"price","type":"Decimal(12, 2)"},{"name":"at","type":"DateTime64(3, 'Europe\/Berlin')"}],
            "data":[["2026-11-01",0.15832928596944662,12.30,"2026-11-01T09:00:00.123Z"],["2026-11-02",null,-0.50,null]],
            "rows":2}
            """#
        let result = try ClickHouseQueryExecutor.decode(Array(body.utf8), maxRows: 10)
        #expect(result.columns == ["day", "low", "price", "at"])
        #expect(result.rows[0] == [
            "day": .date(20758), "low": .float64(0.15832928596944662), "price": .string("12.30"),
            "at": .timestamp(1_793_523_600_123),
        ])
        #expect(result.rows[1] == ["day": .date(20759), "low": .null, "price": .string("-0.50"), "at": .null])
    }

    @Test func exceptionMemberOfTheDocumentIsAnError() throws {
        // http_write_exception_in_output_format: the server's mark inside JSON output.
        let failed = #"{"meta":[{"name":"x","type":"UInt8"}],"data":[[0],[0]],"rows":2,"exception":"Code: 395. DB::Exception: Value passed to 'throwIf' function is non-zero. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO) (version 24.8.1.1)"}"#
        let error = try #require(throws: QueryError.self) {
            _ = try ClickHouseQueryExecutor.decode(Array(failed.utf8), maxRows: 10)
        }
        #expect(error.code == .internal)
        #expect(error.detail?.contains("code 395") == true)
        // The same text in a row is data.
        let data = #"{"meta":[{"name":"s","type":"String"}],"data":[["Code: 1. DB::Exception: boom"]],"rows":1}"#
        #expect(try ClickHouseQueryExecutor.decode(Array(data.utf8), maxRows: 10).rows == [["s": .string("Code: 1. DB::Exception: boom")]])
    }

    @Test func dateTimesInAnotherZoneBecomeUTCInstants() throws {
        let berlin = "DateTime64(3, 'Europe/Berlin')"
        let zone = ClickHouseTypeName.timeZone(ofBase: berlin, server: nil)
        #expect(zone?.identifier == "Europe/Berlin")
        // Summer (CEST, +2), winter (CET, +1), and the hour after DST starts.
        #expect(ClickHouseQueryExecutor.cellValue(.string("2026-07-01 12:15:00.123"), type: berlin, zone: zone)
            == .timestamp(RFC3339.parseMilliseconds("2026-07-01T10:15:00.123Z")!))
        #expect(ClickHouseQueryExecutor.cellValue(.string("2026-01-01 01:00:00.000"), type: berlin, zone: zone)
            == .timestamp(RFC3339.parseMilliseconds("2026-01-01T00:00:00Z")!))
        #expect(ClickHouseQueryExecutor.cellValue(.string("2026-03-29 03:30:00.000"), type: berlin, zone: zone)
            == .timestamp(RFC3339.parseMilliseconds("2026-03-29T01:30:00Z")!))
        // ISO output (a profile with date_time_output_format=iso) is already UTC.
        #expect(ClickHouseQueryExecutor.cellValue(.string("2026-07-01T10:15:00.123Z"), type: berlin, zone: zone)
            == .timestamp(RFC3339.parseMilliseconds("2026-07-01T10:15:00.123Z")!))
        // UTC columns need no zone; a zone-less column takes the server's.
        #expect(ClickHouseTypeName.timeZone(ofBase: "DateTime64(3, 'UTC')", server: "Asia/Tokyo") == nil)
        #expect(ClickHouseTypeName.timeZone(ofBase: "DateTime", server: "Asia/Tokyo")?.identifier == "Asia/Tokyo")
        #expect(ClickHouseTypeName.timeZone(ofBase: "DateTime64(3)", server: nil) == nil)
        #expect(ClickHouseTypeName.timeZone(ofBase: "Date", server: "Asia/Tokyo") == nil)
        let body = #"{"meta":[{"name":"t","type":"DateTime"}],"data":[["2026-01-01 09:00:00"]],"rows":1}"#
        let result = try ClickHouseQueryExecutor.decode(Array(body.utf8), maxRows: 1, serverTimeZone: "Asia/Tokyo")
        #expect(result.rows == [["t": .timestamp(RFC3339.parseMilliseconds("2026-01-01T00:00:00Z")!)]])
    }

    @Test func decimalText() {
        #expect(DecimalText.columnValue("12.3", scale: 2) == .string("12.30"))
        #expect(DecimalText.columnValue("-0.5") == .string("-0.5"))
        #expect(DecimalText.columnValue("18446744073709551615") == .uint64(.max))
        #expect(DecimalText.columnValue("-99999999999999999999") == .string("-99999999999999999999"))
        #expect(DecimalText.columnValue("NaN") == nil)
        #expect(DecimalText.columnValue("") == nil)
        #expect(DecimalText.columnValue("-") == nil)
    }
}
