/// Runs a projection's prepared read queries against one store.
///
/// The tenant is a separate argument, always bound as the `tenant_id` parameter, so a caller
/// cannot forget it and request values can never replace it.
public protocol QueryExecutor: Sendable {
    /// The store this executor reads.
    var store: StoreKind { get }

    /// Runs `query` for `tenant` with typed request `parameters` (by request field name).
    ///
    /// The query stops at the server's timeout (`QueryLimits.timeout`) or at `deadline` (a client's),
    /// whichever comes first: the store itself is told the shorter one, so the work has really ended
    /// when this returns. Executors do not observe task cancellation; the deadline is how a caller
    /// bounds them.
    /// - Throws: `QueryError` (deadline, row cap, store unavailable, internal).
    func execute(_ query: PreparedQuery, tenant: String, parameters: [String: ColumnValue], deadline: ContinuousClock.Instant?) async throws -> QueryResult

    /// Throws unless the store answers a trivial query (for `/readyz`).
    func checkReachable() async throws

    /// Releases connections; later calls fail.
    func shutdown() async
}

extension QueryExecutor {
    /// `execute` under the server's timeout only.
    public func execute(_ query: PreparedQuery, tenant: String, parameters: [String: ColumnValue]) async throws -> QueryResult {
        try await execute(query, tenant: tenant, parameters: parameters, deadline: nil)
    }

    /// The full parameter set of a query: request parameters plus the tenant, which always wins.
    package func bindings(tenant: String, parameters: [String: ColumnValue]) -> [String: ColumnValue] {
        var all = parameters
        all[PreparedQuery.tenantParameter] = .string(tenant)
        return all
    }
}
