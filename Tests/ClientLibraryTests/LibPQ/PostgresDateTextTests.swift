import Foundation
import Testing
@testable import LibPQ

/// A bound date's text, written by hand, equals `%04d-%02d-%02d` (what it replaced).
@Suite("PostgresValue date text")
struct PostgresDateTextTests {
    @Test("the same text as String(format:) for every year, month and day shape")
    func sameAsFormat() {
        for (year, month, day) in [(2026, 3, 1), (1970, 1, 1), (2149, 6, 6), (5, 12, 31), (0, 0, 0), (9999, 99, 99),
                                   (10_000, 1, 1), (-1, 1, 1), (2026, 100, 1), (2026, 1, -3)] {
            #expect(PostgresValue.date(year: year, month: month, day: day).textEncoding
                    == String(format: "%04d-%02d-%02d", year, month, day), "\(year)-\(month)-\(day)")
        }
    }
}
