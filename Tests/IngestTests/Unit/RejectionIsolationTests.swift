import Foundation
import Testing
@testable import Ingest
import IngestTestKit

/// The probing that finds the facts a store refuses, against a model store: it refuses a set when it
/// holds a poison fact, or (overflow) when the running sum of the set passes a limit.
@Suite("Store rejection isolation")
struct RejectionIsolationTests {
    static func isolate(_ sequences: [UInt64], refuses: ([UInt64]) -> Bool) -> (RejectionIsolation.Step, probes: Int) {
        var isolation = RejectionIsolation(sequences: sequences)
        var step = isolation.start()
        var probes = 0
        while case .probe(let facts) = step {
            probes += 1
            #expect(probes < 500, "isolation does not terminate")
            if probes >= 500 { break }
            step = isolation.probed(refused: refuses(facts))
        }
        return (step, probes)
    }

    @Test("every poison fact is found, whatever their number and place", arguments: 0..<60)
    func poison(seed: Int) {
        var generator = SplitMix64(seed: UInt64(seed))
        let count = Int(generator.next() % 40) + 1
        let sequences = (0..<count).map { UInt64($0 * 2 + 5) }
        let poison = Set(sequences.filter { _ in generator.next() % 5 == 0 })
        let (step, probes) = Self.isolate(sequences) { $0.contains { poison.contains($0) } }
        if poison.isEmpty {
            #expect(step == .notIsolated)
        } else {
            #expect(step == .isolated(poison.sorted()))
            // k culprits among n facts: about k·(log2 n + 1) + 2 probes.
            #expect(probes <= poison.count * (Int(log2(Double(count))) + 2) + 2)
        }
    }

    @Test("an overflowing sum: the fact that passes the limit is isolated, the rest fits")
    func overflow() {
        let values: [UInt64: Int] = [1: 40, 2: 50, 3: 30, 4: 5, 5: 60]
        let (step, _) = Self.isolate([1, 2, 3, 4, 5]) { facts in facts.reduce(0) { $0 + values[$1]! } > 100 }
        // 40+50 fits, +30 does not: 3 goes; 40+50+5 fits, +60 does not: 5 goes.
        #expect(step == .isolated([3, 5]))
    }

    @Test("a refusal without the facts (even the empty batch is refused) isolates nothing")
    func refusedRegardless() {
        let (step, probes) = Self.isolate([1, 2, 3]) { _ in true }
        #expect(step == .notIsolated)
        #expect(probes == 1)
    }

    @Test("a refusal the probes cannot reproduce isolates nothing")
    func notReproduced() {
        let (step, _) = Self.isolate([1, 2, 3]) { _ in false }
        #expect(step == .notIsolated)
    }
}
