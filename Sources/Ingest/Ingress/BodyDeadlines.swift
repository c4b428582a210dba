import Dispatch
import Synchronization

/// Ends ingress body reads that outlive `PROJECTION_INGRESS_BODY_TIMEOUT_MS` from one coarse timer
/// (a tick every quarter of the timeout, at most every 250 ms, so a 408 comes at most that late),
/// instead of a sleeping task per request: that was a second child task, its job runs and a wake of
/// Dispatch's timer thread for every single event, nearly always for a body that came with the headers.
final class BodyDeadlines: Sendable {
    let timeout: Duration
    private let tick: Duration
    private let reads = Mutex<[ObjectIdentifier: BodyRead]>([:])
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)

    init(timeout: Duration) {
        self.timeout = timeout
        self.tick = max(.milliseconds(10), min(.milliseconds(250), timeout / 4))
    }

    deinit {
        timer.withLock { $0?.cancel() }
    }

    /// A read that must finish by now + `timeout`; it is watched until it finishes or expires.
    func start() -> BodyRead {
        let read = BodyRead(deadline: .now + timeout)
        reads.withLock { $0[ObjectIdentifier(read)] = read }
        startTimer()
        return read
    }

    /// Stops watching `read` (it finished).
    func finished(_ read: BodyRead) {
        _ = reads.withLock { $0.removeValue(forKey: ObjectIdentifier(read)) }
    }

    /// Expires every read past its deadline at `now`.
    func expire(now: ContinuousClock.Instant) {
        let expired = reads.withLock { reads in
            let expired = reads.values.filter { $0.deadline <= now }
            for read in expired { reads[ObjectIdentifier(read)] = nil }
            return expired
        }
        for read in expired { read.expire() }
    }

    private func startTimer() {
        timer.withLock { timer in
            guard timer == nil else { return }
            let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "projection.ingress.body-deadlines"))
            let millis = Int(tick.components.seconds) * 1000 + Int(tick.components.attoseconds / 1_000_000_000_000_000)
            source.schedule(deadline: .now() + .milliseconds(millis), repeating: .milliseconds(millis), leeway: .milliseconds(millis / 2))
            source.setEventHandler { [weak self] in self?.expire(now: .now) }
            source.resume()
            timer = source
        }
    }
}
