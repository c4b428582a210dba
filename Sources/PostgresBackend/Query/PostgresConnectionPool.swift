import LibPQ
import Logging
import Columnstore

/// A small pool of Postgres connections for read queries: at most `capacity` open, each set up
/// once with the session settings (deadline, UTC, read-only transactions).
actor PostgresConnectionPool {
    private let dsn: String
    private let capacity: Int
    private let sessionSetup: String
    private let logger: Logger
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var closed = false
    /// The connections handed out and not yet returned: a return of any other is refused.
    private var lent: Set<ObjectIdentifier> = []

    init(dsn: String, capacity: Int, sessionSetup: String, logger: Logger) {
        self.dsn = dsn
        self.capacity = capacity
        self.sessionSetup = sessionSetup
        self.logger = logger
    }

    /// An idle connection, a new one while under capacity, or (at capacity) the next one released.
    ///
    /// Opening and setting up a new connection gives up at `deadline` (`.timedOut`), so a
    /// network that stopped answering cannot hold a request past it. Waiting for a connection at
    /// capacity is bounded by the holders' own deadlines.
    func acquire(deadline: ContinuousClock.Instant) async throws -> PostgresConnection {
        while true {
            guard !closed else { throw PostgresError(code: .closed, message: "the query pool is shut down") }
            while let connection = idle.popLast() {
                if connection.isAlive { lent.insert(ObjectIdentifier(connection)); return connection }
                open -= 1
                connection.close()
            }
            if open < capacity {
                open += 1
                do {
                    let connection = try await PostgresConnection.connect(dsn: dsn, logger: logger, timeout: Self.remaining(until: deadline))
                    do {
                        try await connection.execute(sessionSetup, timeout: Self.remaining(until: deadline))
                    } catch {
                        connection.close()
                        throw error
                    }
                    lent.insert(ObjectIdentifier(connection))
                    return connection
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Idle and open connections (tests read them: each connection is returned exactly once).
    var counts: (idle: Int, open: Int) { (idle.count, open) }

    /// Returns a connection; a broken one (or one left mid-transaction) is closed instead.
    func release(_ connection: PostgresConnection, reusable: Bool) {
        // Returned twice (idle or already closed), one session would serve two requests at once, or `open`
        // would drift below the connections really open and the pool pass its capacity.
        guard lent.remove(ObjectIdentifier(connection)) != nil else {
            logger.error("a query connection was returned twice; kept once")
            return
        }
        if reusable && connection.isAlive && !closed {
            idle.append(connection)
        } else {
            open -= 1
            connection.close()
        }
        wakeOne()
    }

    /// Time left until `deadline`, at least 1 ms (a passed deadline still fails through the timer).
    static func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(.milliseconds(1), deadline - ContinuousClock.now)
    }

    func shutdown() {
        closed = true
        for connection in idle { connection.close() }
        open -= idle.count
        idle.removeAll()
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter.resume() }
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
