import Foundation
import Testing
@testable import IngestFacts

@Suite("Fact numbers typed as JSONSerialization typed them")
struct FactNumberTests {
    @Test("integers: negative as Int64, non-negative as UInt64, beyond as decimal", arguments: [
        ("-5", "int -5"), ("-0", "int 0"), ("0", "uint 0"), ("9223372036854775807", "uint 9223372036854775807"),
        ("18446744073709551615", "uint 18446744073709551615"), ("18446744073709551616", "decimal 18446744073709551616"),
        // Int64.min was a decimal too: integer columns keep rejecting it.
        ("-9223372036854775808", "decimal -9223372036854775808"), ("-9223372036854775809", "decimal -9223372036854775809"),
    ])
    func integers(literal: String, expected: String) {
        #expect(FactNumber(literal: literal).map(describe) == expected)
    }

    @Test("fractions and exponents: double, or decimal past 17 digits", arguments: [
        ("1.0", "double 1.0"), ("1e2", "double 100.0"), ("1e16", "double 1e+16"), ("9.2e18", "double 9.2e+18"),
        ("-0.0", "double -0.0"), ("5e-324", "double 5e-324"), ("1e-400", "double 0.0"), ("4.35", "double 4.35"),
        ("12345678901234567.89", "decimal 12345678901234567.89"), ("0.30000000000000004", "decimal 0.30000000000000004"),
    ])
    func fractions(literal: String, expected: String) {
        #expect(FactNumber(literal: literal).map(describe) == expected)
    }

    func describe(_ number: FactNumber) -> String {
        switch number {
        case .int(let value): "int \(value)"
        case .uint(let value): "uint \(value)"
        case .double: "double \(number.text)"
        case .decimal: "decimal \(number.text)"
        }
    }
}
