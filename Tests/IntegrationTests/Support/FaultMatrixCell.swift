import Columnstore
import Foundation

/// One measured cell of docs/RELIABILITY.md's fault matrix: what a fault test saw for one fault on one
/// store. Tests write it to `.dev/fault-matrix/<fault>.<store>.json` (`PROJECTION_FAULT_MATRIX_DIR` to
/// change the directory) before their verdict, so a failing run leaves its cell too; `dev/fault-matrix.py`
/// renders the files into the doc. Recovery times are reported, never asserted.
struct FaultMatrixCell: Encodable {
    /// The row's key; `dev/fault-matrix.py` knows its label and order.
    var fault: String
    var store: String
    /// Facts in the stream(s) at the end of the run.
    var facts: UInt64
    /// Placed orders missing from `daily_sales` (summed over tenant × day shortfalls) and from `orders`.
    var lost: Int64
    /// Placed orders counted more than once in `daily_sales` (summed over tenant × day excesses).
    var doubled: Int64
    /// Whether `daily_sales`, `orders` and the quarantine all equal the corpus' model.
    var exact: Bool
    /// Ingest did not reach the end of the stream by itself within the test's deadline (or exited).
    var stalled: Bool
    /// Seconds until ingest moved again (see `recoveryMeaning`); nil when not measured.
    var recoverySeconds: [Double]
    /// What the recovery time runs from and to.
    var recoveryMeaning: String
    /// Anything else measured (e.g. a drain rate).
    var note: String = ""
    var measuredAt: String = ISO8601DateFormatter().string(from: Date())
    var loadAverage: String = FaultMatrixCell.loadAverage()

    enum CodingKeys: String, CodingKey {
        case fault, store, facts, lost, doubled, exact, stalled, note
        case recoverySeconds = "recovery_seconds", recoveryMeaning = "recovery_meaning"
        case measuredAt = "measured_at", loadAverage = "load_average"
    }

    init(fault: String, store: StoreKind, facts: UInt64, stalled: Bool, recovery: [Duration], recoveryMeaning: String,
         expected: FactCorpus, fixture: StoreFixture, note: String = "") async {
        self.fault = fault
        self.store = store.rawValue
        self.facts = facts
        self.stalled = stalled
        self.recoverySeconds = recovery.map(Self.seconds)
        self.recoveryMeaning = recoveryMeaning
        self.note = note
        let daily = (try? await fixture.dailyTotals()) ?? [:]
        let orders = (try? await fixture.orders()) ?? [:]
        let quarantined = (try? await fixture.quarantineCount()) ?? -1
        var lost: Int64 = 0, doubled: Int64 = 0
        for (tenant, days) in expected.daily {
            for (day, totals) in days {
                let have = daily[tenant]?[day]?.orderCount ?? 0
                if have < totals.orderCount { lost += totals.orderCount - have }
                if have > totals.orderCount { doubled += have - totals.orderCount }
            }
        }
        for (tenant, days) in daily {
            for (day, totals) in days where expected.daily[tenant]?[day] == nil { doubled += totals.orderCount }
        }
        let missingOrders = expected.orders.reduce(Int64(0)) { sum, entry in
            sum + Int64(entry.value.keys.count { orders[entry.key]?[$0] == nil })
        }
        self.lost = max(lost, missingOrders)
        self.doubled = doubled
        self.exact = daily == expected.daily && orders == expected.orders && quarantined == expected.poisonCount
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return ((Double(s) + Double(atto) / 1e18) * 100).rounded() / 100
    }

    /// Writes the cell; a failure to write is printed, never fails the test (the cell is a report).
    func write() {
        let directory = ProcessInfo.processInfo.environment["PROJECTION_FAULT_MATRIX_DIR"].map { URL(fileURLWithPath: $0) }
            ?? StoreFixture.repositoryRoot.appendingPathComponent(".dev/fault-matrix")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try encoder.encode(self).write(to: directory.appendingPathComponent("\(fault).\(store).json"), options: .atomic)
        } catch {
            print("fault-matrix: could not write \(fault).\(store): \(error)")
        }
        print("fault-matrix \(fault) \(store): lost \(lost), doubled \(doubled), exact \(exact), stalled \(stalled), recovery \(recoverySeconds) s (\(recoveryMeaning)) \(note)")
    }

    private static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
