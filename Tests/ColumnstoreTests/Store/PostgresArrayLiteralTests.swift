import Testing
@testable import Columnstore
@testable import PostgresBackend

@Suite("Postgres array literals")
struct PostgresArrayLiteralTests {
    @Test("elements are quoted; quotes and backslashes escaped; other text copied verbatim")
    func escaping() {
        var literal = PostgresArrayLiteral()
        literal.append("plain")
        literal.append(#"say "hi" \ bye"#)
        literal.append("ünï €")
        literal.appendNull()
        literal.append("")
        #expect(literal.literal == #"{"plain","say \"hi\" \\ bye","ünï €",NULL,""}"#)
    }

    @Test("column values: bare numbers and booleans, quoted floats, dates and timestamps")
    func columnValues() {
        var literal = PostgresArrayLiteral()
        for value: ColumnValue in [.int64(-3), .uint64(7), .bool(true), .float64(1.5), .float64(.infinity), .null, .date(1), .timestamp(1_500)] {
            literal.append(value)
        }
        #expect(literal.literal == #"{-3,7,t,"1.5","Infinity",NULL,"1970-01-02","1970-01-01T00:00:01.500Z"}"#)
    }

    @Test("escapes at either end and side by side; an element of only escapes")
    func escapesAtTheEdges() {
        var literal = PostgresArrayLiteral(reservingCapacity: 4)
        literal.append(#""start"#)
        literal.append(#"end\"#)
        literal.append(#"\"\""#)
        literal.appendBare("42")
        #expect(literal.literal == #"{"\"start","end\\","\\\"\\\"",42}"#)
    }

    @Test("integers are spelled as String(value) spells them, at every width and at the limits")
    func integers() {
        var signed: [Int64] = [0, -1, 1, .min, .max, .min + 1, .max - 1]
        var unsigned: [UInt64] = [0, 1, .max, .max - 1, UInt64(Int64.max), UInt64(Int64.max) + 1]
        var power: UInt64 = 1
        for _ in 0..<19 {
            power *= 10
            unsigned += [power - 1, power, power + 1]
            // 10^19 is past Int64.max.
            if power <= UInt64(Int64.max) { signed += [Int64(power - 1), -Int64(power - 1), Int64(power), -Int64(power)] }
        }
        var literal = PostgresArrayLiteral()
        for value in signed { literal.append(.int64(value)) }
        for value in unsigned { literal.append(.uint64(value)) }
        #expect(literal.literal == "{" + (signed.map(String.init) + unsigned.map(String.init)).joined(separator: ",") + "}")
    }

    @Test("an empty literal is an empty array")
    func empty() {
        #expect(PostgresArrayLiteral().literal == "{}")
    }
}
