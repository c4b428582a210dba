import ClickHouseHTTP
@testable import ClickHouseBackend
import Columnstore
import Foundation
import Testing

/// `ClickHouseMigrationLock.withLock` on the real store: the lease is renewed while the body runs (a
/// child task of the call), the claim is withdrawn when the body ends, and a claim taken away from the
/// holder is noticed (`.lockLost`). Verdicts wait for states. The lease is long (30 s, renewed every
/// 10 s) because a renewal that reaches the store after the lease has run out legitimately loses the
/// lock: with 9 s, one run of the whole parallel suite saw no renewal at all (most likely one that
/// came after the lease had run out; a failing run now says which).
@Suite("ClickHouse migration lock", .serialized)
struct ClickHouseMigrationLockTests {
    static let lease: Duration = .seconds(30)

    /// The claim rows' latest state per owner: (owner, released, version).
    static func claims(_ client: ClickHouseClient) async throws -> [(owner: String, released: Bool, version: Int)] {
        let text = try await client.query("""
            SELECT owner, argMax(released, version), max(version) FROM \(ClickHouseMigrationLock.table)
            GROUP BY owner ORDER BY owner FORMAT TabSeparated
            """).text
        return text.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t").map(String.init)
            return (fields[0], fields[1] == "1", Int(fields[2]) ?? 0)
        }
    }

    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<600 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test("the lease is renewed while the body runs and withdrawn when it ends")
    func renewsWhileBodyRuns() async throws {
        try await MigrationSandbox.with(.clickhouse) { sandbox in
            let client = try ClickHouseClient(dsn: sandbox.dsn)
            try await client.execute(ClickHouseMigrationLock.createTable)
            let lock = ClickHouseMigrationLock(client: client, lease: Self.lease, poll: .milliseconds(50))
            let (renewedInBody, problem) = try await lock.withLock(timeout: .seconds(30), onEvent: { _ in }) {
                try await lock.checkHeld()
                // The renewal (every lease / 3) raises the claim's version while the body still runs.
                let renewed = try await Self.eventually { try await Self.claims(client).first.map { !$0.released && $0.version >= 2 } ?? false }
                return (renewed, await lock.lastRenewalProblem)
            }
            #expect(renewedInBody, "the lease was never renewed while the body ran: \(problem ?? "no renewal problem recorded")")
            // withLock has returned: the renewal has ended and the claim is withdrawn.
            let after = try await Self.claims(client)
            #expect(after.count == 1 && after[0].released, "\(after)")
            await #expect(throws: MigrationError.self) { try await lock.checkHeld() }
            // No renewal runs on behind the call (it would raise the version again).
            try await Task.sleep(for: Self.lease / 3 * 2)
            #expect(try await Self.claims(client).map(\.version) == after.map(\.version))
        }
    }

    @Test("a claim taken away from the holder is noticed: lockLost before the next statement")
    func noticesLostClaim() async throws {
        try await MigrationSandbox.with(.clickhouse) { sandbox in
            let client = try ClickHouseClient(dsn: sandbox.dsn)
            try await client.execute(ClickHouseMigrationLock.createTable)
            let lock = ClickHouseMigrationLock(client: client, lease: Self.lease, poll: .milliseconds(50))
            let noticed = try await lock.withLock(timeout: .seconds(30), onEvent: { _ in }) { () async throws -> Bool in
                try await lock.checkHeld()
                let owner = try #require(try await Self.claims(client).first?.owner)
                // Another party marks the claim released (as if the lease had lapsed and been overtaken).
                try await client.execute("""
                    INSERT INTO \(ClickHouseMigrationLock.table) (lock_name, owner, claimed_at, expires_at, released, version)
                    SELECT {name:String}, {owner:String}, now64(6, 'UTC'), now64(3, 'UTC'), 1, 1000000
                    """, parameters: ["name": ClickHouseMigrationLock.name, "owner": owner])
                // The next renewal finds the claim gone and marks the lock lost.
                return try await Self.eventually {
                    do {
                        try await lock.checkHeld()
                        return false
                    } catch let error as MigrationError {
                        return error.code == .lockLost
                    }
                }
            }
            #expect(noticed, "the lost claim was never noticed")
        }
    }

    /// Counts the bodies running at once.
    actor Occupancy {
        private(set) var inside = 0
        private(set) var most = 0
        private(set) var entries = 0
        func enter() { inside += 1; entries += 1; most = max(most, inside) }
        func leave() { inside -= 1 }
    }

    @Test("runs that claim the same epoch at once: the server keeps one claim, and no two bodies ever overlap")
    func concurrentClaimsExclude() async throws {
        try await MigrationSandbox.with(.clickhouse) { sandbox in
            let setup = try ClickHouseClient(dsn: sandbox.dsn)
            try await setup.execute(ClickHouseMigrationLock.createTable)
            let runs = 6
            let occupancy = Occupancy()
            // Every run starts together, so the first round has all of them claiming epoch 1. Each holds for
            // a while, so the waiters poll against a live holder too. Nothing here depends on timing: any
            // overlap, however it came about, is counted.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<runs {
                    group.addTask {
                        let lock = ClickHouseMigrationLock(client: try ClickHouseClient(dsn: sandbox.dsn), lease: Self.lease, poll: .milliseconds(20))
                        try await lock.withLock(timeout: .seconds(300), onEvent: { _ in }) {
                            await occupancy.enter()
                            try await Task.sleep(for: .milliseconds(100))
                            await occupancy.leave()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await occupancy.entries == runs)
            #expect(await occupancy.most == 1, "two runs held the lock at once")
            // One owner per epoch, epochs 1…runs, every claim withdrawn.
            let epochs = try await setup.query("""
                SELECT epoch, uniqExact(owner), argMax(released, version) FROM \(ClickHouseMigrationLock.table)
                GROUP BY epoch ORDER BY epoch FORMAT TabSeparated
                """).text.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            #expect(epochs == (1...runs).map { ["\($0)", "1", "1"] }, "\(epochs)")
        }
    }

    @Test("a claim whose epoch another run already holds is dropped by the server")
    func sameEpochClaimDropped() async throws {
        try await MigrationSandbox.with(.clickhouse) { sandbox in
            let client = try ClickHouseClient(dsn: sandbox.dsn)
            try await client.execute(ClickHouseMigrationLock.createTable)
            // Twelve claims for epoch 7 on twelve connections at once, as the lock sends them.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await ClickHouseClient(dsn: sandbox.dsn).execute("""
                            INSERT INTO \(ClickHouseMigrationLock.table) (lock_name, owner, claimed_at, expires_at, released, version, epoch)
                            SELECT {name:String}, {owner:String}, now64(6, 'UTC'), now64(3, 'UTC') + INTERVAL 1 HOUR, 0, 1, 7
                            """, parameters: ["name": ClickHouseMigrationLock.name, "owner": "run-\(index)"],
                            settings: ["insert_deduplicate": "1", "insert_deduplication_token": ClickHouseMigrationLock.claimToken(epoch: 7)])
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.claims(client).count == 1)
        }
    }

    @Test("a lock table from before epochs is upgraded, and its live claim still blocks")
    func legacyTableUpgraded() async throws {
        try await MigrationSandbox.with(.clickhouse) { sandbox in
            let client = try ClickHouseClient(dsn: sandbox.dsn)
            // The table as earlier releases created it, holding a live claim of a run of such a release (an hour
            // long, so it is still live whenever the blocked attempt below runs, however slow the machine).
            try await client.execute("""
                CREATE TABLE \(ClickHouseMigrationLock.table)
                (`lock_name` String, `owner` String, `claimed_at` DateTime64(6, 'UTC'), `expires_at` DateTime64(3, 'UTC'),
                 `released` UInt8, `version` UInt64)
                ENGINE = ReplacingMergeTree(version) ORDER BY (lock_name, owner) TTL toDateTime(expires_at) + INTERVAL 1 DAY
                """)
            try await client.execute("""
                INSERT INTO \(ClickHouseMigrationLock.table) (lock_name, owner, claimed_at, expires_at, released, version)
                SELECT {name:String}, 'older-release', now64(6, 'UTC'), now64(3, 'UTC') + INTERVAL 1 HOUR, 0, 1
                """, parameters: ["name": ClickHouseMigrationLock.name])
            let backend = try ClickHouseMigrationBackend(dsn: sandbox.dsn)
            try await backend.prepareLedger()
            try await backend.prepareLedger()  // idempotent
            await backend.close()
            let create = try await client.query("SHOW CREATE TABLE \(ClickHouseMigrationLock.table) FORMAT TabSeparatedRaw").text
            #expect(create.contains("`epoch` UInt64"), "\(create)")
            #expect(create.contains("non_replicated_deduplication_window = \(ClickHouseMigrationLock.deduplicationWindow)"), "\(create)")
            #expect(!create.contains(" TTL "), "the TTL would delete rows whose epoch tokens the server still remembers: \(create)")

            let lock = ClickHouseMigrationLock(client: client, lease: Self.lease, poll: .milliseconds(50))
            await #expect(throws: MigrationError.self) {
                try await lock.withLock(timeout: .milliseconds(300), onEvent: { _ in }) { () async -> Void in }
            }
            // Once that claim is withdrawn, the lock is free.
            try await client.execute("""
                INSERT INTO \(ClickHouseMigrationLock.table) (lock_name, owner, claimed_at, expires_at, released, version)
                SELECT {name:String}, 'older-release', now64(6, 'UTC'), now64(3, 'UTC'), 1, 2
                """, parameters: ["name": ClickHouseMigrationLock.name])
            let ran = try await lock.withLock(timeout: .seconds(30), onEvent: { _ in }) { () async -> Bool in true }
            #expect(ran)
        }
    }

    @Test("epochs whose token the server remembers but whose rows are gone are skipped, not waited on")
    func spentEpochsSkipped() async throws {
        try await MigrationSandbox.with(.clickhouse) { sandbox in
            let client = try ClickHouseClient(dsn: sandbox.dsn)
            try await client.execute(ClickHouseMigrationLock.createTable)
            for epoch: UInt64 in 1...3 {
                try await client.execute("""
                    INSERT INTO \(ClickHouseMigrationLock.table) (lock_name, owner, claimed_at, expires_at, released, version, epoch)
                    SELECT {name:String}, 'gone-\(epoch)', now64(6, 'UTC'), now64(3, 'UTC'), 1, 1, \(epoch)
                    """, parameters: ["name": ClickHouseMigrationLock.name],
                    settings: ["insert_deduplicate": "1", "insert_deduplication_token": ClickHouseMigrationLock.claimToken(epoch: epoch)])
            }
            // The rows go; the server still remembers epochs 1–3's tokens.
            try await client.execute("ALTER TABLE \(ClickHouseMigrationLock.table) DELETE WHERE 1", settings: ["mutations_sync": "2"])
            #expect(try await Self.claims(client).isEmpty)
            let lock = ClickHouseMigrationLock(client: client, lease: Self.lease, poll: .milliseconds(50))
            let ran = try await lock.withLock(timeout: .seconds(300), onEvent: { _ in }) { () async -> Bool in true }
            #expect(ran)
            let epochs = try await client.query("SELECT DISTINCT epoch FROM \(ClickHouseMigrationLock.table) FORMAT TabSeparated").text
            #expect(epochs.trimmingCharacters(in: .whitespacesAndNewlines) == "4", "\(epochs)")
        }
    }
}
