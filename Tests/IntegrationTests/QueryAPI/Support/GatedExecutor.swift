import Columnstore
import Foundation

/// A store that answers only when the test opens the gate: a query that outlives any deadline,
/// whatever the machine's speed.
final class GatedExecutor: QueryExecutor, @unchecked Sendable {
    let store: StoreKind = .postgres
    private let lock = NSLock()
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var open = false
    let rows: [[String: ColumnValue]]

    init(rows: [[String: ColumnValue]] = []) { self.rows = rows }

    func execute(_ query: PreparedQuery, tenant: String, parameters: [String: ColumnValue]) async throws -> QueryResult {
        await withCheckedContinuation { continuation in
            let proceed = lock.withLock { () -> Bool in
                if open { return true }
                waiters.append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
        return QueryResult(columns: Array(rows.first?.keys ?? [:].keys), rows: rows)
    }

    func openGate() {
        let resumed = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            open = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in resumed { waiter.resume() }
    }

    func checkReachable() async throws {}
    func shutdown() async {}
}
