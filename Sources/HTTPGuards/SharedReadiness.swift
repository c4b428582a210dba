/// `/readyz` at most one readiness check at a time and one per `ttl`: concurrent probes share the check
/// under way, and its result answers every probe for `ttl` after it. The query API's check is a store
/// round trip, so unbounded it turned a flood of probes into a flood of store queries.
///
/// The first probe runs the check in its own task (no unstructured task); probes arriving meanwhile wait
/// for its result.
public actor SharedReadiness {
    public typealias Result = (ready: Bool, detail: String)

    private let check: ProbeRoutes.Readiness
    private let ttl: Duration
    private var last: (at: ContinuousClock.Instant, result: Result)?
    private var checking = false
    private var waiters: [CheckedContinuation<Result, Never>] = []

    public init(ttl: Duration = .seconds(1), check: @escaping ProbeRoutes.Readiness) {
        self.ttl = ttl
        self.check = check
    }

    public func current() async -> Result {
        if let last, ContinuousClock.now - last.at < ttl { return last.result }
        if checking { return await withCheckedContinuation { waiters.append($0) } }
        checking = true
        let result = await check()
        checking = false
        last = (ContinuousClock.now, result)
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume(returning: result) }
        return result
    }
}
