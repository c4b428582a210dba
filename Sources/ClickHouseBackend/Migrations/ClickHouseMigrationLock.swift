import ClickHouseHTTP
import Foundation
import Columnstore

/// A lease-based lock for migration runs on ClickHouse, which has no compare-and-swap.
///
/// Protocol: each attempt inserts a claim row under a fresh random owner, with `claimed_at` and
/// `expires_at` from the *server's* clock, waits `settle`, then reads every unexpired, unreleased
/// claim; the lowest `(claimed_at, owner)` wins. Losers withdraw their claim and retry after
/// `poll` while the holder is alive. The holder renews its lease every `lease / 3` and checks,
/// before each statement, that its lease is still comfortably valid.
///
/// `withLock` holds the lock for exactly its body: the renewal loop is a child task of the call,
/// ended when the body ends, and the claim is withdrawn before it returns.
///
/// The race: a claim becomes visible only when its insert commits, a few milliseconds after
/// `now64()` was evaluated. Two claims that overlap that window are both visible after `settle`
/// (far longer), so both readers pick the same winner. Unsafe only if an insert stalls for longer
/// than `settle` between evaluating its timestamp and committing, or if a holder stalls past its
/// lease; in both cases at most one in-flight statement overlaps, and statements are idempotent.
actor ClickHouseMigrationLock {
    static let table = "_projection_migration_lock"
    static let name = "projection-migrate"

    static let createTable = """
        CREATE TABLE IF NOT EXISTS \(table)
        (
            `lock_name` String,
            `owner` String,
            `claimed_at` DateTime64(6, 'UTC'),
            `expires_at` DateTime64(3, 'UTC'),
            `released` UInt8,
            `version` UInt64
        )
        ENGINE = ReplacingMergeTree(version)
        ORDER BY (lock_name, owner)
        TTL toDateTime(expires_at) + INTERVAL 1 DAY
        """

    private let client: ClickHouseClient
    private let lease: Duration
    private let settle: Duration
    private let poll: Duration
    private let clock = ContinuousClock()

    private var owner: String?
    private var validUntil: ContinuousClock.Instant?
    private var lost = false
    /// Why the last renewal did not extend the lease (nil after one that did): for the lost-lock error's context.
    private(set) var lastRenewalProblem: String?

    init(client: ClickHouseClient, lease: Duration, settle: Duration = .milliseconds(500), poll: Duration = .milliseconds(500)) {
        self.client = client
        self.lease = max(lease, .seconds(1))
        self.settle = settle
        self.poll = poll
    }

    /// Waits for the lock (throws `.lockTimeout` after `timeout`), runs `body` while renewing the
    /// lease, then stops renewing and withdraws the claim, whether `body` returned or threw.
    func withLock<T: Sendable>(
        timeout: Duration, onEvent: @Sendable (MigrationEvent) -> Void, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await acquire(timeout: timeout, onEvent: onEvent)
        let result: Result<T, any Error>
        do {
            result = .success(try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.renewUntilCancelled() }
                // The group awaits the renewal after this; it ends at its next sleep.
                defer { group.cancelAll() }
                return try await body()
            })
        } catch {
            result = .failure(error)
        }
        await release()
        return try result.get()
    }

    /// Waits for the lock; throws `.lockTimeout` after `timeout`.
    private func acquire(timeout: Duration, onEvent: @Sendable (MigrationEvent) -> Void) async throws {
        let deadline = clock.now + timeout
        var announced = false
        while true {
            if let holder = try await holder() {
                if !announced {
                    onEvent(.waitingForLock(holder: holder))
                    announced = true
                }
            } else {
                let candidate = "migrate-" + UUID().uuidString.lowercased()
                let claimedAt = clock.now
                try await claim(candidate)
                try await clock.sleep(for: settle)
                let winner = try await holder()
                if winner == candidate {
                    owner = candidate
                    validUntil = claimedAt + lease
                    lost = false
                    onEvent(.lockAcquired)
                    return
                }
                try? await withdraw(candidate)
                if let winner, !announced {
                    onEvent(.waitingForLock(holder: winner))
                    announced = true
                }
            }
            guard clock.now < deadline else {
                throw MigrationError(
                    .lockTimeout,
                    "another projection-migrate run holds the lock (\(Self.table)); gave up after \(timeout) — retry once it has finished")
            }
            try await clock.sleep(for: poll)
        }
    }

    /// Throws `.lockLost` unless the lease is held with a safety margin left.
    func checkHeld() throws {
        guard let validUntil, !lost, clock.now < validUntil - lease / 4 else {
            throw MigrationError(.lockLost, "the migration lock's lease ran out (this run stalled or could not renew it); stopped before the next statement — run apply again")
        }
    }

    /// Withdraws the claim (the renewal has stopped).
    private func release() async {
        if let owner { try? await withdraw(owner) }
        owner = nil
        validUntil = nil
    }

    // MARK: - Protocol steps

    /// Renews every `lease / 3` until the task is cancelled.
    private func renewUntilCancelled() async {
        let interval = lease / 3
        while true {
            do {
                try await clock.sleep(for: interval)
            } catch {
                return
            }
            await renew()
        }
    }

    private func renew() async {
        guard let owner, !lost else { return }
        let started = clock.now
        do {
            // Only an unexpired claim is extended: an expired one may already have been overtaken.
            try await client.execute("""
                INSERT INTO \(Self.table) (lock_name, owner, claimed_at, expires_at, released, version)
                SELECT lock_name, owner, argMax(claimed_at, version), now64(3, 'UTC') + toIntervalMillisecond({lease:UInt64}), 0, max(version) + 1
                FROM \(Self.table)
                WHERE lock_name = {name:String} AND owner = {owner:String}
                GROUP BY lock_name, owner
                HAVING argMax(released, version) = 0 AND argMax(expires_at, version) > now64(3, 'UTC')
                """, parameters: ["name": Self.name, "owner": owner, "lease": String(lease.migrationMilliseconds)])
            if try await holder() == owner {
                validUntil = started + lease
                lastRenewalProblem = nil
            } else {
                lost = true
                lastRenewalProblem = "the claim was no longer the earliest unexpired one"
            }
        } catch {
            // A failed renewal leaves the old lease; checkHeld stops the run if it runs out.
            lastRenewalProblem = "renewal failed: \(error)"
        }
    }

    private func claim(_ candidate: String) async throws {
        try await client.execute("""
            INSERT INTO \(Self.table) (lock_name, owner, claimed_at, expires_at, released, version)
            SELECT {name:String}, {owner:String}, now64(6, 'UTC'), now64(3, 'UTC') + toIntervalMillisecond({lease:UInt64}), 0, 1
            """, parameters: ["name": Self.name, "owner": candidate, "lease": String(lease.migrationMilliseconds)])
    }

    private func withdraw(_ candidate: String) async throws {
        try await client.execute("""
            INSERT INTO \(Self.table) (lock_name, owner, claimed_at, expires_at, released, version)
            SELECT lock_name, owner, argMax(claimed_at, version), now64(3, 'UTC'), 1, max(version) + 1
            FROM \(Self.table)
            WHERE lock_name = {name:String} AND owner = {owner:String}
            GROUP BY lock_name, owner
            """, parameters: ["name": Self.name, "owner": candidate])
    }

    /// The owner of the earliest unexpired, unreleased claim.
    private func holder() async throws -> String? {
        let text = try await client.query("""
            SELECT owner FROM (
                SELECT owner, argMax(claimed_at, version) AS c, argMax(expires_at, version) AS e, argMax(released, version) AS r
                FROM \(Self.table) WHERE lock_name = {name:String} GROUP BY owner
            )
            WHERE r = 0 AND e > now64(3, 'UTC')
            ORDER BY c, owner
            LIMIT 1
            FORMAT TabSeparated
            """, parameters: ["name": Self.name]).text
        let owner = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return owner.isEmpty ? nil : owner
    }
}

extension Duration {
    /// Whole milliseconds (at least 1).
    var migrationMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
