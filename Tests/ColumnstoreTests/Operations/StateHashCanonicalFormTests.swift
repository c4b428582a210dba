@testable import Columnstore
import Testing

@Suite("State hash: canonical values")
struct StateHashCanonicalFormTests {
    typealias Form = StateHashCanonicalForm

    @Test("integers are decimal, booleans words, NULL the \\N marker for every type")
    func scalars() throws {
        #expect(try Form.render(.int64(-42), as: .int64) == "-42")
        #expect(try Form.render(.int64(7), as: .int32) == "7")
        #expect(try Form.render(.uint64(.max), as: .uint64) == "18446744073709551615")
        #expect(try Form.render(.int64(0), as: .uint64) == "0")
        #expect(try Form.render(.bool(true), as: .bool) == "true")
        #expect(try Form.render(.bool(false), as: .bool) == "false")
        for type in [ColumnType.string, .int64, .bool, .date, .timestamp, .float64, .decimal(precision: 18, scale: 2)] {
            #expect(try Form.render(.null, as: type) == "\\N")
        }
    }

    @Test("strings are raw except TSV escapes, so a literal \\N or a tab cannot pass for NULL or a column break")
    func strings() throws {
        #expect(try Form.render(.string("acme"), as: .string) == "acme")
        #expect(try Form.render(.string("évil' OR '1'='1"), as: .string) == "évil' OR '1'='1")
        #expect(try Form.render(.string("a\tb\nc\rd"), as: .string) == "a\\tb\\nc\\rd")
        #expect(try Form.render(.string("\\N"), as: .string) == "\\\\N")
        #expect(try Form.render(.string(""), as: .string) == "")
    }

    @Test("timestamps are RFC 3339 UTC with exactly three fractional digits; dates YYYY-MM-DD")
    func temporal() throws {
        #expect(try Form.render(.timestamp(0), as: .timestamp) == "1970-01-01T00:00:00.000Z")
        #expect(try Form.render(.timestamp(1_793_527_200_123), as: .timestamp) == "2026-11-01T10:00:00.123Z")
        #expect(try Form.render(.timestamp(1_793_527_200_000), as: .timestamp) == "2026-11-01T10:00:00.000Z")
        #expect(try Form.render(.timestamp(-1), as: .timestamp) == "1969-12-31T23:59:59.999Z")
        #expect(try Form.render(.date(RFC3339.parseDate("2026-11-05")!), as: .date) == "2026-11-05")
    }

    @Test("decimals get exactly the column's scale, one sign for zero, no leading zeros, never rounded")
    func decimals() throws {
        let money = ColumnType.decimal(precision: 12, scale: 2)
        #expect(try Form.render(.string("12.5"), as: money) == "12.50")     // ClickHouse drops trailing zeros
        #expect(try Form.render(.string("12.50"), as: money) == "12.50")    // Postgres keeps the scale
        #expect(try Form.render(.string("0012.50"), as: money) == "12.50")
        #expect(try Form.render(.string("+3"), as: money) == "3.00")
        #expect(try Form.render(.string("-0.00"), as: money) == "0.00")
        #expect(try Form.render(.string("-.5"), as: money) == "-0.50")
        #expect(try Form.render(.string("1.230"), as: money) == "1.23")
        #expect(try Form.render(.string("1.235"), as: money) == "1.235")
        #expect(try Form.render(.int64(-7), as: money) == "-7.00")
        #expect(try Form.render(.string("5"), as: .decimal(precision: 10, scale: 0)) == "5")
        #expect(Form.decimal("1e5", scale: 2) == nil)
        #expect(Form.decimal("", scale: 2) == nil)
        #expect(Form.decimal("1.2.3", scale: 2) == nil)
    }

    @Test("floats are the shortest round-trip text, one zero, named specials")
    func floats() throws {
        #expect(try Form.render(.float64(0.1), as: .float64) == "0.1")
        #expect(try Form.render(.float64(3), as: .float64) == "3.0")
        #expect(try Form.render(.float64(-0.0), as: .float64) == "0.0")
        #expect(try Form.render(.float64(1e-5), as: .float64) == "1e-05")
        #expect(try Form.render(.float64(.nan), as: .float64) == "NaN")
        #expect(try Form.render(.float64(-.infinity), as: .float64) == "-Infinity")
    }

    @Test("a value of the wrong type is an error, not a silent rendering")
    func mismatch() throws {
        let error = try #require(throws: StateHashError.self) { try Form.render(.string("12"), as: .int64) }
        #expect(error.code == .unexpectedValue)
        #expect(throws: StateHashError.self) { try Form.render(.string("abc"), as: .decimal(precision: 10, scale: 2)) }
        #expect(throws: StateHashError.self) { try Form.line([.int64(1)], types: [.int64, .string]) }
    }

    @Test("Postgres and ClickHouse spellings of the same cell read as the same canonical value", arguments: [
        (ColumnType.bool, "t", "true"),
        (.bool, "f", "false"),
        (.float64, "NaN", "nan"),
        (.float64, "Infinity", "inf"),
        (.float64, "-Infinity", "-inf"),
        (.float64, "0.30000000000000004", "0.30000000000000004"),
        (.decimal(precision: 18, scale: 2), "12.50", "12.5"),
        (.decimal(precision: 18, scale: 2), "0.00", "0"),
        (.uint64, "42", "42"),
        (.timestamp, "1793527200123", "1793527200123"),
        (.date, "2026-11-05", "2026-11-05"),
    ])
    func cellSpellings(type: ColumnType, postgres: String, clickhouse: String) throws {
        let a = try #require(StateHashCell.value(postgres, type: type))
        let b = try #require(StateHashCell.value(clickhouse, type: type))
        #expect(try Form.render(a, as: type) == Form.render(b, as: type))
    }

    @Test("cells that do not fit their type are refused")
    func badCells() {
        #expect(StateHashCell.value("x", type: .int64) == nil)
        #expect(StateHashCell.value("2026-13-01", type: .date) == nil)
        #expect(StateHashCell.value("maybe", type: .bool) == nil)
        #expect(StateHashCell.value("12,5", type: .decimal(precision: 10, scale: 2)) == nil)
    }

    @Test("a row is its values joined by tabs, ended by a newline")
    func line() throws {
        let line = try Form.line([.string("acme"), .date(0), .int64(3), .null], types: [.string, .date, .int64, .int64])
        #expect(line == "acme\t1970-01-01\t3\t\\N\n")
    }
}
