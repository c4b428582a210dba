import Columnstore
import Foundation
import Hummingbird
import Logging
import Prometheus
@testable import QueryAPI

/// A store that answers only when the test opens the gate: a query that outlives any deadline,
/// whatever the machine's speed. Like the real executors it stops at the caller's deadline.
final class GatedExecutor: QueryExecutor, @unchecked Sendable {
    let store: StoreKind = .postgres
    private let lock = NSLock()
    private var open = false
    private var running = 0
    let rows: [[String: ColumnValue]]

    init(rows: [[String: ColumnValue]] = []) { self.rows = rows }

    func execute(
        _ query: PreparedQuery, tenant: String, parameters: [String: ColumnValue], deadline: ContinuousClock.Instant?
    ) async throws -> QueryResult {
        lock.withLock { running += 1 }
        defer { lock.withLock { running -= 1 } }
        // Polls the gate: the deadline is checked between polls, as a store checks its own timeout.
        while !lock.withLock({ open }) {
            if let deadline, ContinuousClock.now >= deadline {
                throw QueryError(code: .deadlineExceeded, message: "the query did not finish before its deadline")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return QueryResult(columns: Array(rows.first?.keys ?? [:].keys), rows: rows)
    }

    /// Queries inside `execute` right now.
    var queriesRunning: Int { lock.withLock { running } }

    func openGate() {
        lock.withLock { open = true }
    }

    func checkReachable() async throws {}
    func shutdown() async {}
}

extension GatedExecutor {
    /// The real router over this store (Postgres's SQL catalog), with a quiet logger.
    func router(service: QueryServiceSchema = ProjectionSchema.ordersAnalytics.queryService!, configuration: QueryConfiguration) throws
        -> (router: Router<BasicRequestContext>, logger: Logger)
    {
        let catalog = try QueryCatalog.load(service: service, store: .postgres, sqlDirectory: QueryStoreFixture.sqlDirectory)
        var logger = Logger(label: "projection.query.test")
        logger.logLevel = .critical
        let router = QueryServer.makeRouter(
            service: service, catalog: catalog, executor: self, configuration: configuration,
            registry: PrometheusCollectorRegistry(), openAPI: "{}", logger: logger)
        return (router, logger)
    }
}
