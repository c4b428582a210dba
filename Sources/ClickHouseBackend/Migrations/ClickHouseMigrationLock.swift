import ClickHouseHTTP
import Foundation
import Columnstore

/// A lease-based lock for migration runs on ClickHouse, which has no transactions.
///
/// The claim is a compare-and-swap built on insert deduplication: every acquisition is an *epoch*
/// (one more than the highest epoch in the table), and each run's claim for epoch n is inserted with
/// the deduplication token `<lock name>:<n>`. The table keeps a window of recent tokens
/// (`non_replicated_deduplication_window`), and the server checks and records a token under the
/// table's parts lock, so of several runs that claim the same epoch exactly one insert writes a row;
/// the others are dropped as duplicates. Each run then reads epoch n's claim: the run whose owner it
/// names holds the lock, the others wait. No settle time, and no window in which two runs both win.
///
/// The holder renews its lease every `lease / 3` (renewals are plain inserts, without deduplication)
/// and checks before each statement that its lease is still comfortably valid. A holder that stalls
/// past its lease can still overlap the next holder by the statement in flight; statements are
/// idempotent for that case.
///
/// `withLock` holds the lock for exactly its body: the renewal loop is a child task of the call,
/// ended when the body ends, and the claim is withdrawn before it returns.
actor ClickHouseMigrationLock {
    static let table = "_projection_migration_lock"
    static let name = "projection-migrate"
    /// How many claim tokens the table remembers. A run whose claim is this many inserts late could
    /// write a second row for an epoch; the earliest claim of an epoch wins then, as before.
    static let deduplicationWindow = 10_000

    static let createTable = """
        CREATE TABLE IF NOT EXISTS \(table)
        (
            `lock_name` String,
            `owner` String,
            `claimed_at` DateTime64(6, 'UTC'),
            `expires_at` DateTime64(3, 'UTC'),
            `released` UInt8,
            `version` UInt64,
            `epoch` UInt64 DEFAULT 0
        )
        ENGINE = ReplacingMergeTree(version)
        ORDER BY (lock_name, owner)
        SETTINGS non_replicated_deduplication_window = \(deduplicationWindow)
        """

    /// Brings a table created before epochs (no `epoch` column, no deduplication window) up to date;
    /// both statements are idempotent.
    static let upgradeTable = [
        "ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS `epoch` UInt64 DEFAULT 0",
        "ALTER TABLE \(table) MODIFY SETTING non_replicated_deduplication_window = \(deduplicationWindow)",
    ]

    /// Earlier tables expired their rows a day after each lease. The highest epoch must never go back
    /// (the server remembers the tokens of epochs whose rows a TTL would delete), so the TTL goes; the
    /// table keeps about one row per run.
    static let removeTTL = "ALTER TABLE \(table) REMOVE TTL"

    private let client: ClickHouseClient
    private let lease: Duration
    private let poll: Duration
    private let clock = ContinuousClock()

    private var owner: String?
    private var validUntil: ContinuousClock.Instant?
    private var lost = false
    /// Why the last renewal did not extend the lease (nil after one that did): for the lost-lock error's context.
    private(set) var lastRenewalProblem: String?

    init(client: ClickHouseClient, lease: Duration, poll: Duration = .milliseconds(500)) {
        self.client = client
        self.lease = max(lease, .seconds(1))
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
        // The highest epoch found spent (see below).
        var spent: UInt64 = 0
        while true {
            let state = try await readState()
            if let holder = state.holder {
                if !announced {
                    onEvent(.waitingForLock(holder: holder))
                    announced = true
                }
            } else {
                let candidate = "migrate-" + UUID().uuidString.lowercased()
                let epoch = max(state.epoch, spent) + 1
                let claimedAt = clock.now
                try await claim(candidate, epoch: epoch)
                switch try await claimant(of: epoch) {
                case candidate?:
                    owner = candidate
                    validUntil = claimedAt + lease
                    lost = false
                    onEvent(.lockAcquired)
                    return
                case let winner?:
                    // Normally the server dropped this claim; should it ever have been written (a token
                    // forgotten), withdraw it so it does not hold others up until it expires.
                    try? await withdraw(candidate)
                    if !announced {
                        onEvent(.waitingForLock(holder: winner))
                        announced = true
                    }
                case nil:
                    // The server remembered the epoch's token but holds no row for it (rows deleted by
                    // hand, or by an earlier release's TTL): nobody can win that epoch, so every run
                    // moves on to the next one, which is again decided by one insert.
                    spent = epoch
                    guard clock.now < deadline else { throw Self.timedOut(timeout) }
                    continue
                }
            }
            guard clock.now < deadline else { throw Self.timedOut(timeout) }
            try await clock.sleep(for: poll)
        }
    }

    private static func timedOut(_ timeout: Duration) -> MigrationError {
        MigrationError(
            .lockTimeout,
            "another projection-migrate run holds the lock (\(table)); gave up after \(timeout) — retry once it has finished")
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
                INSERT INTO \(Self.table) (lock_name, owner, claimed_at, expires_at, released, version, epoch)
                SELECT lock_name, owner, argMax(claimed_at, version), now64(3, 'UTC') + toIntervalMillisecond({lease:UInt64}), 0,
                       max(version) + 1, argMax(epoch, version)
                FROM \(Self.table)
                WHERE lock_name = {name:String} AND owner = {owner:String}
                GROUP BY lock_name, owner
                HAVING argMax(released, version) = 0 AND argMax(expires_at, version) > now64(3, 'UTC')
                """, parameters: ["name": Self.name, "owner": owner, "lease": String(lease.migrationMilliseconds)],
                settings: Self.plainInsert)
            if try await holder() == owner {
                validUntil = started + lease
                lastRenewalProblem = nil
            } else {
                lost = true
                lastRenewalProblem = "the claim had expired or been withdrawn before it was renewed"
            }
        } catch {
            // A failed renewal leaves the old lease; checkHeld stops the run if it runs out.
            lastRenewalProblem = "renewal failed: \(error)"
        }
    }

    /// Renewals and withdrawals must never be mistaken for duplicates of each other.
    private static let plainInsert = ["insert_deduplicate": "0"]

    /// Inserts a claim for `epoch`; the server drops it if another run's claim for `epoch` is already in.
    private func claim(_ candidate: String, epoch: UInt64) async throws {
        try await client.execute("""
            INSERT INTO \(Self.table) (lock_name, owner, claimed_at, expires_at, released, version, epoch)
            SELECT {name:String}, {owner:String}, now64(6, 'UTC'), now64(3, 'UTC') + toIntervalMillisecond({lease:UInt64}), 0, 1,
                   {epoch:UInt64}
            """,
            parameters: ["name": Self.name, "owner": candidate, "lease": String(lease.migrationMilliseconds), "epoch": String(epoch)],
            settings: ["insert_deduplicate": "1", "insert_deduplication_token": Self.claimToken(epoch: epoch)])
    }

    /// The deduplication token of an epoch's claim: the same for every run claiming that epoch.
    static func claimToken(epoch: UInt64) -> String { "\(name):\(epoch)" }

    private func withdraw(_ candidate: String) async throws {
        try await client.execute("""
            INSERT INTO \(Self.table) (lock_name, owner, claimed_at, expires_at, released, version, epoch)
            SELECT lock_name, owner, argMax(claimed_at, version), now64(3, 'UTC'), 1, max(version) + 1, argMax(epoch, version)
            FROM \(Self.table)
            WHERE lock_name = {name:String} AND owner = {owner:String}
            GROUP BY lock_name, owner
            """, parameters: ["name": Self.name, "owner": candidate], settings: Self.plainInsert)
    }

    /// The highest epoch claimed so far (0 for none) and the owner of a live claim, if any.
    private func readState() async throws -> (epoch: UInt64, holder: String?) {
        let text = try await client.query("""
            SELECT max(epoch) FROM \(Self.table) WHERE lock_name = {name:String} FORMAT TabSeparated
            """, parameters: ["name": Self.name]).text
        let epoch = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        return (epoch, try await holder())
    }

    /// The owner whose claim for `epoch` the server kept (the earliest, should a late claim ever
    /// have outlived the deduplication window).
    private func claimant(of epoch: UInt64) async throws -> String? {
        let text = try await client.query("""
            SELECT owner FROM \(Self.table)
            WHERE lock_name = {name:String} AND epoch = {epoch:UInt64}
            ORDER BY claimed_at, owner
            LIMIT 1
            FORMAT TabSeparated
            """, parameters: ["name": Self.name, "epoch": String(epoch)]).text
        return Self.owner(in: text)
    }

    /// The owner of the earliest unexpired, unreleased claim (of any epoch, and claims written before
    /// epochs existed).
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
        return Self.owner(in: text)
    }

    /// The owner a one-row, one-column answer names, or nil for no row.
    private static func owner(in text: String) -> String? {
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
