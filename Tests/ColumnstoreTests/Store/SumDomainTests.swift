@testable import Columnstore
import IngestTestKit
import Testing
@testable import ClickHouseBackend

/// One domain table for SUM totals: the batch fold (`RowAccumulator.sum`, what Postgres's upsert would
/// refuse) and ClickHouse's sum guard (`SumGuard.fits`) must refuse exactly the same totals, or the two
/// stores' answers part.
@Suite("SUM domains: the fold and the ClickHouse sum guard agree")
struct SumDomainTests {
    static let types: [ColumnType] = [.int32, .int64, .uint64, .decimal(precision: 6, scale: 2), .decimal(precision: 38, scale: 0),
                                      .decimal(precision: 18, scale: 4), .float64]

    @Test("the edges of each domain")
    func edges() {
        #expect(SumDomain.contains(Int128(Int32.max), type: .int32))
        #expect(!SumDomain.contains(Int128(Int32.max) + 1, type: .int32))
        #expect(SumDomain.contains(Int128(Int32.min), type: .int32))
        #expect(!SumDomain.contains(Int128(Int32.min) - 1, type: .int32))
        #expect(SumDomain.contains(Int128(Int64.min), type: .int64))
        #expect(!SumDomain.contains(Int128(Int64.max) + 1, type: .int64))
        #expect(SumDomain.contains(Int128(Int64.max), type: .uint64), "uint64 is a bigint on Postgres")
        #expect(!SumDomain.contains(Int128(Int64.max) + 1, type: .uint64))
        #expect(!SumDomain.contains(-1, type: .uint64))
        #expect(SumDomain.contains(999_999, type: .decimal(precision: 6, scale: 2)), "9999.99")
        #expect(!SumDomain.contains(1_000_000, type: .decimal(precision: 6, scale: 2)))
        #expect(!SumDomain.contains(-1_000_000, type: .decimal(precision: 6, scale: 2)))
        #expect(SumDomain.accepts(floatSum: .infinity, of: .infinity, 1), "an infinite operand stays allowed")
        #expect(!SumDomain.accepts(floatSum: .greatestFiniteMagnitude * 2, of: .greatestFiniteMagnitude, .greatestFiniteMagnitude))
        #expect(SumDomain.accepts(floatSum: .nan, of: .nan, 1))
    }

    /// A value of `type` near its edges, in zero's neighbourhood, or anywhere.
    static func value(_ type: ColumnType, _ random: inout SplitMix64) -> ColumnValue {
        func pick<T>(_ choices: [T]) -> T { choices[Int(random.next() % UInt64(choices.count))] }
        switch type {
        case .int32:
            let edge = Int64(pick([Int32.max, Int32.min, 0, 1, -1]))
            return .int64(edge + Int64(Int32(truncatingIfNeeded: random.next() % 5)) - 2 + (random.next() % 4 == 0 ? Int64(Int32(truncatingIfNeeded: random.next())) : 0))
        case .int64:
            let edge = pick([Int64.max, Int64.min, 0, 1, -1, Int64.max / 2])
            return .int64(edge &+ Int64(random.next() % 5) &- 2 &+ (random.next() % 4 == 0 ? Int64(truncatingIfNeeded: random.next()) : 0))
        case .uint64:
            let edge = pick([UInt64(Int64.max), UInt64(Int64.max) / 2, 0, 1])
            let v = edge &+ random.next() % 3
            return .uint64(min(v, UInt64(Int64.max)))
        case .decimal(let precision, let scale):
            let limit = DecimalText.limit(precision: precision) - 1
            let edge = pick([limit, -limit, Int128(0), limit / 2, -limit / 2])
            let units = max(-limit, min(limit, edge + Int128(Int64(random.next() % 7) - 3)))
            return .string(DecimalText.text(units: units, scale: scale))
        default:
            let edge = pick([Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 0, 1e308, -1e308, .infinity, 1.5])
            return .float64(edge * (random.next() % 2 == 0 ? 1 : 0.75))
        }
    }

    @Test("the fold refuses a sum exactly when the guard finds the total out of the domain", arguments: 0..<8)
    func agree(seed: Int) throws {
        var random = SplitMix64(seed: 0x5D0 &+ UInt64(seed))
        var refused = 0, accepted = 0
        for type in Self.types {
            for _ in 0..<2_000 {
                let stored = Self.value(type, &random), delta = Self.value(type, &random)
                let folded: Bool
                do {
                    _ = try RowAccumulator.sum(stored, delta, type: type, table: "t", column: "c")
                    folded = true
                } catch {
                    folded = false
                }
                let s = try #require(SumGuard.magnitude(of: stored, type: type)), d = try #require(SumGuard.magnitude(of: delta, type: type))
                let guarded = SumGuard.fits(s + d, stored: s, delta: d, type: type)
                #expect(folded == guarded, "\(type): \(stored) + \(delta): fold \(folded ? "accepts" : "refuses"), guard \(guarded ? "accepts" : "refuses")")
                if folded { accepted += 1 } else { refused += 1 }
            }
        }
        #expect(refused > 500 && accepted > 500, "both verdicts reached: \(refused) refused, \(accepted) accepted")
    }
}
