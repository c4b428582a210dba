import Columnstore
import Testing
@testable import Ingest

/// Every column type's domain (docs/ANNOTATIONS.md, "Value domains"): values inside are stored exactly,
/// values outside quarantine the fact with a reason naming the field; nothing is clamped or rounded.
@Suite("Value domains")
struct ValueDomainTests {

    @Test("strings: NUL is refused, everything else valid kept byte for byte", arguments: [
        (#""a\u0000b""#, "invalid_value|data.v|contains a NUL character (U+0000), which the stores cannot hold identically"),
        (#""Code: 1. DB::Exception: boom""#, #"x string("Code: 1. DB::Exception: boom")"#),
        (#""tab\there \"q\" é 😀""#, #"x string("tab\there \"q\" é 😀")"#),
    ])
    func strings(json: String, expected: String) throws {
        #expect(try ColumnConversionTests.convert(json, .string, .none, #""x""#) == expected)
    }

    @Test("dates: 1970-01-01 ... 2149-06-06", arguments: [
        (#""1970-01-01""#, "x date(0)"), (#""2149-06-06""#, "x date(65535)"),
        (#""1969-12-31""#, "invalid_value|data.v|the date is outside 1970-01-01 ... 2149-06-06"),
        (#""2149-06-07""#, "invalid_value|data.v|the date is outside 1970-01-01 ... 2149-06-06"),
        (#""0000-01-01""#, "invalid_value|data.v|the date is outside 1970-01-01 ... 2149-06-06"),
        (#""1900-03-01T00:00:00Z""#, "invalid_value|data.v|the date is outside 1970-01-01 ... 2149-06-06"),
        (#""2026-02-30""#, "invalid_value|data.v|expected an RFC 3339 timestamp"),
    ])
    func dates(json: String, expected: String) throws {
        #expect(try ColumnConversionTests.convert(json, .date, .none, #""x""#) == expected)
    }

    @Test("timestamps: 1900-01-01 ... 2299-12-31, milliseconds", arguments: [
        (#""1900-01-01T00:00:00Z""#, "x timestamp(-2208988800000)"),
        (#""2299-12-31T23:59:59.999Z""#, "x timestamp(10413791999999)"),
        (#""1899-12-31T23:59:59.999Z""#, "invalid_value|data.v|the timestamp is outside 1900-01-01T00:00:00.000Z ... 2299-12-31T23:59:59.999Z"),
        (#""2300-01-01T00:00:00Z""#, "invalid_value|data.v|the timestamp is outside 1900-01-01T00:00:00.000Z ... 2299-12-31T23:59:59.999Z"),
        (#""0000-01-01T00:00:00Z""#, "invalid_value|data.v|the timestamp is outside 1900-01-01T00:00:00.000Z ... 2299-12-31T23:59:59.999Z"),
        (#""2026-03-01T10:15:00.123456Z""#, "x timestamp(1772360100123)"),
    ])
    func timestamps(json: String, expected: String) throws {
        #expect(try ColumnConversionTests.convert(json, .timestamp, .none, #""x""#) == expected)
    }

    @Test("transforms land in the target's domain", arguments: [
        (#""1900-06-01T10:00:00Z""#, SourceTransform.toDate, ColumnType.date, "invalid_value|data.v|the date is outside 1970-01-01 ... 2149-06-06"),
        (#""1900-06-01T10:30:00Z""#, .toHour, .timestamp, "x timestamp(-2195906400000)"),
        (#""2026-03-01T23:59:59.999-01:00""#, .toDate, .date, "x date(20514)"),
    ])
    func transforms(json: String, transform: SourceTransform, type: ColumnType, expected: String) throws {
        #expect(try ColumnConversionTests.convert(json, type, transform, #""x""#) == expected)
    }

    @Test("doubles: finite, exact to 17 digits, one zero", arguments: [
        ("0.15832928596944662", "x float64(0.15832928596944662)"),
        ("-1.7976931348623157e308", "x float64(-1.7976931348623157e+308)"),
        ("5e-324", "x float64(5e-324)"),
        ("-0.0", "x float64(0.0)"),
        ("1e400", "invalid_value|data.v|NaN and infinities are not stored (the value must be a finite double)"),
        (#""1e400""#, "invalid_value|data.v|NaN and infinities are not stored (the value must be a finite double)"),
        (#""NaN""#, "invalid_value|data.v|NaN and infinities are not stored (the value must be a finite double)"),
        (#""-Infinity""#, "invalid_value|data.v|NaN and infinities are not stored (the value must be a finite double)"),
    ])
    func doubles(json: String, expected: String) throws {
        #expect(try ColumnConversionTests.convert(json, .float64, .none, #""x""#) == expected)
    }

    @Test("decimals: exact, never rounded", arguments: [
        (#""12.34""#, #"x string("12.34")"#), ("12.3", #"x string("12.30")"#), (#""1.230""#, #"x string("1.23")"#),
        (#""-0.00""#, #"x string("0.00")"#), (#"".5""#, #"invalid_value|data.v|expected a decimal number in plain notation, e.g. "-12.34" for decimal(12,2)"#),
        (#""1.""#, #"invalid_value|data.v|expected a decimal number in plain notation, e.g. "-12.34" for decimal(12,2)"#), (#""0000012.5""#, #"x string("12.50")"#),
        (#""9999999999.99""#, #"x string("9999999999.99")"#), (#""-9999999999.99""#, #"x string("-9999999999.99")"#),
        (#""123456789012.34""#, "invalid_value|data.v|has more than 10 integer digits for decimal(12,2)"),
        (#""1.235""#, "invalid_value|data.v|has more than 2 fractional digits (values are never rounded) for decimal(12,2)"),
        (#""0x10""#, #"invalid_value|data.v|expected a decimal number in plain notation, e.g. "-12.34" for decimal(12,2)"#),
        (#""NaN""#, #"invalid_value|data.v|expected a decimal number in plain notation, e.g. "-12.34" for decimal(12,2)"#),
        (#""1e3""#, #"invalid_value|data.v|expected a decimal number in plain notation, e.g. "-12.34" for decimal(12,2)"#),
        (#""""#, #"invalid_value|data.v|expected a decimal number in plain notation, e.g. "-12.34" for decimal(12,2)"#),
        (#""-""#, #"invalid_value|data.v|expected a decimal number in plain notation, e.g. "-12.34" for decimal(12,2)"#),
        ("true", "invalid_value|data.v|expected a decimal number"),
    ])
    func decimals(json: String, expected: String) throws {
        #expect(try ColumnConversionTests.convert(json, .decimal(precision: 12, scale: 2), .none, #""x""#) == expected)
    }

    @Test("decimal text: units round-trip at every precision up to 38")
    func decimalUnits() {
        let big = "9" + String(repeating: "9", count: 37)
        #expect(DecimalText.units(big, scale: 0) == DecimalText.limit(precision: 38) - 1)
        #expect(DecimalText.text(units: -5, scale: 3) == "-0.005")
        #expect(DecimalText.text(units: 1230, scale: 2) == "12.30")
        #expect(DecimalText.text(units: 7, scale: 0) == "7")
        #expect(DecimalText.units("12.3", scale: 2) == nil)
        for text in ["0.000", "-1.500", "123456789.123"] {
            #expect(DecimalText.units(text, scale: 3).map { DecimalText.text(units: $0, scale: 3) } == text)
        }
    }

    @Test("whole numbers in any notation are exact; fractions and out-of-range values are refused", arguments: [
        ("790702970447414258.000", "x int64(790702970447414258)"), ("9.2e18", "x int64(9200000000000000000)"),
        ("-9.223372036854775808e18", "x int64(-9223372036854775808)"), ("12e-1", "invalid_value|data.v|expected an integer"),
        ("1200e-2", "x int64(12)"), ("0.000e5", "x int64(0)"), ("9.3e18", "invalid_value|data.v|expected a 64-bit integer"),
        ("1e400", "invalid_value|data.v|expected a 64-bit integer"), ("1e-400", "invalid_value|data.v|expected an integer"),
    ])
    func exactIntegers(json: String, expected: String) throws {
        #expect(try ColumnConversionTests.convert(json, .int64, .none, #""x""#) == expected)
    }

    @Test("uint64 above 2^63-1 and integers past their type are refused, not wrapped")
    func integerEdges() throws {
        #expect(try ColumnConversionTests.convert("9223372036854775807", .int64, .none, #""x""#) == "x int64(9223372036854775807)")
        #expect(try ColumnConversionTests.convert("-2147483648", .int32, .none, #""x""#) == "x int64(-2147483648)")
        #expect(try ColumnConversionTests.convert("-2147483649", .int32, .none, #""x""#) == "invalid_value|data.v|expected a 32-bit integer")
        #expect(try ColumnConversionTests.convert("0", .uint64, .none, #""x""#) == "x uint64(0)")
    }
}
