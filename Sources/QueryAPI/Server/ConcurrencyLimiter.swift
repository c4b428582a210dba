import Foundation

/// Admits at most `limit` requests at a time, and at most `perTenant` of one tenant; the rest are turned
/// away at once (a caller gets `resource_exhausted` instead of queueing behind a slow store). The
/// per-tenant share keeps one tenant's slow queries from locking every other tenant out.
final class ConcurrencyLimiter: @unchecked Sendable {
    enum Admission: Equatable { case admitted, full, tenantFull }

    private let lock = NSLock()
    private var inFlight = 0
    private var byTenant: [String: Int] = [:]
    let limit: Int
    let perTenant: Int

    init(limit: Int, perTenant: Int? = nil) {
        self.limit = max(1, limit)
        self.perTenant = min(self.limit, max(1, perTenant ?? limit))
    }

    /// Takes a slot for `tenant`, or says which bound turned it away.
    func tryAcquire(tenant: String) -> Admission {
        lock.withLock {
            guard inFlight < limit else { return .full }
            let mine = byTenant[tenant, default: 0]
            guard mine < perTenant else { return .tenantFull }
            inFlight += 1
            byTenant[tenant] = mine + 1
            return .admitted
        }
    }

    func release(tenant: String) {
        lock.withLock {
            inFlight -= 1
            let left = byTenant[tenant, default: 1] - 1
            // Tenants come and go: keep only those with a request in flight (a bounded map).
            byTenant[tenant] = left > 0 ? left : nil
        }
    }

    var current: Int { lock.withLock { inFlight } }
}
