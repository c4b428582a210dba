import Foundation

/// One admitted request's slot in the `ConcurrencyLimiter`, given back once: by `release()`, or when the
/// last holder lets go of it. A large answer's body holds it until it has been written, so the slots
/// bound the answers held in memory as well as the queries running; a body the server drops unwritten
/// (a closed connection) gives it back as it is freed.
final class ConcurrencySlot: @unchecked Sendable {
    private let limiter: ConcurrencyLimiter
    private let tenant: String
    private let lock = NSLock()
    private var held = true

    init(limiter: ConcurrencyLimiter, tenant: String) {
        self.limiter = limiter
        self.tenant = tenant
    }

    func release() {
        let release = lock.withLock {
            defer { held = false }
            return held
        }
        if release { limiter.release(tenant: tenant) }
    }

    deinit { release() }
}
