/// `/readyz` at most one readiness check at a time and one per `ttl`: concurrent probes share the check
/// under way, and its result answers every probe for `ttl` after it. The query API's check is a store
/// round trip, so unbounded it turned a flood of probes into a flood of store queries.
public actor SharedReadiness {
    private let check: ProbeRoutes.Readiness
    private let ttl: Duration
    private var last: (at: ContinuousClock.Instant, result: (ready: Bool, detail: String))?
    private var running: Task<(ready: Bool, detail: String), Never>?

    public init(ttl: Duration = .seconds(1), check: @escaping ProbeRoutes.Readiness) {
        self.ttl = ttl
        self.check = check
    }

    public func current() async -> (ready: Bool, detail: String) {
        if let last, ContinuousClock.now - last.at < ttl { return last.result }
        if let running { return await running.value }
        let check = check
        let task = Task { await check() }
        running = task
        let result = await task.value
        running = nil
        last = (ContinuousClock.now, result)
        return result
    }
}
