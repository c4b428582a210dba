import Columnstore
import Testing
@testable import Ingest

/// Values of every JSON type into columns, end to end (decode + map), pinned to what the
/// JSONSerialization-based decoder produced.
@Suite("Column conversion of fact values")
struct ColumnConversionTests {
    static func schema(_ type: ColumnType, _ transform: SourceTransform = .none) -> ProjectionSchema {
        let source = ColumnSource(factType: "p", value: .data(FieldPath(["v"])), transform: transform, isRequired: false)
        let table = TableSchema(name: "t", kind: .append, columns: [
            ColumnSchema(name: "v", type: type, nullable: true, sources: [source]),
        ], primaryKey: ["v"])
        return ProjectionSchema(name: "probe", storeKinds: [.postgres], bindings: [
            FactBinding(factType: "p", ref: "p", idempotencyKey: FieldPath(["k"])),
        ], tables: [table])
    }

    /// The column value, or the rejection as `code|field|detail`.
    static func convert(_ json: String, _ type: ColumnType, _ transform: SourceTransform = .none, key: String = #""x""#) throws -> String {
        try convert(json, type, transform, key)
    }

    static func convert(_ json: String, _ type: ColumnType, _ transform: SourceTransform, _ key: String) throws -> String {
        let body = #"{"specversion":"1.0","id":"e","type":"p","data":{"k":\#(key),"v":\#(json)}}"#
        let fact = try FactDecoder(maxFactBytes: 4096).decode(body: Array(body.utf8)) { _ in nil }
        do {
            guard let mapped = try FactMapper(schema: schema(type, transform)).map(fact, sequence: 1, subject: "s") else { return "unconsumed" }
            return "\(mapped.idempotencyKey) \(mapped.rows[0].values[0])"
        } catch {
            return "\(error.code)|\(error.field ?? "")|\(error.detail)"
        }
    }

    @Test("integer columns", arguments: [
        ("42", ColumnType.int64, "x int64(42)"), (#""42""#, .int64, "x int64(42)"), ("1.0", .int64, "x int64(1)"), ("1e2", .int64, "x int64(100)"),
        ("1.5", .int64, "invalid_value|data.v|expected an integer"), ("true", .int64, "invalid_value|data.v|expected an integer"),
        ("9223372036854775808", .int64, "invalid_value|data.v|expected a 64-bit integer"),
        ("-9223372036854775808", .int64, "x int64(-9223372036854775808)"),
        ("99999999999999999999999", .int64, "invalid_value|data.v|expected a 64-bit integer"),
        ("2147483648", .int32, "invalid_value|data.v|expected a 32-bit integer"),
        ("9223372036854775807", .uint64, "x uint64(9223372036854775807)"),
        ("18446744073709551615", .uint64, "invalid_value|data.v|18446744073709551615 is above 9223372036854775807, the largest uint64 both stores hold"),
        (#""9223372036854775808""#, .uint64, "invalid_value|data.v|9223372036854775808 is above 9223372036854775807, the largest uint64 both stores hold"),
        ("-1", .uint64, "invalid_value|data.v|expected a non-negative integer"), ("null", .int64, "x null"),
    ])
    func integers(json: String, type: ColumnType, expected: String) throws {
        #expect(try Self.convert(json, type) == expected)
    }

    @Test("float, decimal, bool, string and time columns", arguments: [
        ("0.30000000000000004", ColumnType.float64, "x float64(0.30000000000000004)"), (#""2.5""#, .float64, "x float64(2.5)"),
        (#""inf""#, .float64, "invalid_value|data.v|NaN and infinities are not stored (the value must be a finite double)"),
        ("1e400", .float64, "invalid_value|data.v|NaN and infinities are not stored (the value must be a finite double)"),
        ("1e2", .decimal(precision: 18, scale: 2), #"invalid_value|data.v|expected a decimal number in plain notation, e.g. "-12.34" for decimal(18,2)"#),
        ("12345678901234567.89", .decimal(precision: 20, scale: 2), #"x string("12345678901234567.89")"#),
        (#""1.50""#, .decimal(precision: 18, scale: 2), #"x string("1.50")"#), ("true", .bool, "x bool(true)"),
        ("1", .bool, "invalid_value|data.v|expected true or false"), ("1", .string, "invalid_value|data.v|expected a string"),
        (#""2026-03-01""#, .date, "x date(20513)"), (#""2026-03-01T10:15:00.5-01:30""#, .timestamp, "x timestamp(1772365500500)"),
    ])
    func others(json: String, type: ColumnType, expected: String) throws {
        #expect(try Self.convert(json, type) == expected)
    }

    /// A number in a string is the plain grammar (minus, digits, and for a double a fraction and exponent):
    /// Swift's parsers alone took `+5`, `.5`, `5.` and hex (`"0x10"` was 16.0 in a double column while an
    /// integer column refused it).
    @Test("numbers in strings: the plain grammar only", arguments: [
        (#""-12""#, ColumnType.int64, "x int64(-12)"), (#""007""#, .int64, "x int64(7)"), (#""-0""#, .uint64, "x uint64(0)"),
        (#""1e-1""#, .float64, "x float64(0.1)"), (#""-2.50E+2""#, .float64, "x float64(-250.0)"), (#""-0.0""#, .float64, "x float64(0.0)"),
        (#""+5""#, .int64, "invalid_value|data.v|expected an integer"), (#""+5""#, .uint64, "invalid_value|data.v|expected an integer"),
        (#""0x10""#, .int32, "invalid_value|data.v|expected an integer"),
        (#""0x10""#, .float64, "invalid_value|data.v|expected a number"), (#""0x1p3""#, .float64, "invalid_value|data.v|expected a number"),
        (#""+1.5""#, .float64, "invalid_value|data.v|expected a number"), (#"".5""#, .float64, "invalid_value|data.v|expected a number"),
        (#""5.""#, .float64, "invalid_value|data.v|expected a number"), (#""1e""#, .float64, "invalid_value|data.v|expected a number"),
        (#"" 1""#, .float64, "invalid_value|data.v|expected a number"), (#""Infinity""#, .float64, "invalid_value|data.v|NaN and infinities are not stored (the value must be a finite double)"),
        (#""nan""#, .float64, "invalid_value|data.v|NaN and infinities are not stored (the value must be a finite double)"), (#""""#, .float64, "invalid_value|data.v|expected a number"),
    ])
    func numberStrings(json: String, type: ColumnType, expected: String) throws {
        #expect(try Self.convert(json, type) == expected)
    }

    @Test("idempotency keys: strings as is, integers exactly in canonical digits (FactMapperTests.numericKeys refuses the rest)", arguments: [
        (#""k-1""#, "k-1"), ("7", "7"), ("-0", "0"), ("1e2", "100"), ("1.5e1", "15"), ("18446744073709551616", "18446744073709551616"),
    ])
    func keys(key: String, expected: String) throws {
        #expect(try Self.convert(#""s""#, .string, key: key) == #"\#(expected) string("s")"#)
    }
}
