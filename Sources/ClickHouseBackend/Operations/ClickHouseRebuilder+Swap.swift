import ClickHouseHTTP
import Columnstore
import Foundation

/// The journaled swap of a cutover or rollback (`ClickHouseSwapJournal`): internal rows first, then one
/// `EXCHANGE TABLES` per table; a swap stopped part-way is finished by `finishInterruptedSwap`.
extension ClickHouseRebuilder {
    static let parkingSuffix = "__swap"

    public func swap(in incomingSuffix: String, from incoming: ConsumerID, into generation: RebuildGeneration, keepPrevious: Bool, missing: RebuildError) async throws {
        let live = generation.live.projection
        try await locked {
            let earlier = try await self.journal(of: live)
            if let earlier, !earlier.isDone { throw Self.unfinished(earlier) }
            for table in self.schema.tables where !(try await self.exists(table.name + incomingSuffix)) { throw missing }
            let tables = self.schema.tables.map(\.name)
            let uuids = try await self.uuids(of: tables.flatMap { [$0, $0 + incomingSuffix] })
            for table in tables {
                // EXCHANGE TABLES needs an Atomic database, where every table has its own UUID; the resumed
                // exchange tells "done" from "not yet" by them.
                guard let a = uuids[table], let b = uuids[table + incomingSuffix], a != b, !a.allSatisfy({ $0 == "0" || $0 == "-" }) else {
                    throw StoreError(code: .unexpectedResponse, detail: "tables \(table) and \(table + incomingSuffix) have no distinct UUIDs: a cutover needs an Atomic database")
                }
            }
            let journal = ClickHouseSwapJournal(incomingSuffix: incomingSuffix, incomingProjection: incoming.projection, keepPrevious: keepPrevious,
                                                generation: generation, tables: tables, uuids: uuids)
            try await self.begin(journal, after: earlier, generation: generation)
        }
    }

    /// Runs a new swap (whole or tenant) after `earlier`, the newest journal (done, or none): its first
    /// record is written before anything changes, so from then on a stop leaves a journal to finish from.
    func begin(_ start: ClickHouseSwapJournal, after earlier: ClickHouseSwapJournal?, generation: RebuildGeneration) async throws {
        let live = generation.live.projection
        var journal = start
        journal.versionBase = earlier.map(\.nextVersionBase) ?? 1
        do {
            try await record(journal, live)
        } catch {
            // Did it land? Then carry on from it; if it surely did not, nothing changed. If that cannot
            // be told, the swap counts as interrupted (the live ingest stays paused).
            let landed: ClickHouseSwapJournal?
            do { landed = try await self.journal(of: live) } catch { throw Self.interrupted(journal, error) }
            guard let landed, landed.versionBase == journal.versionBase else { throw error }
        }
        try await runFinishing(journal, live: generation)
    }

    /// Finishes a cutover or rollback that stopped part-way, from the step its journal names; nil when
    /// there is none. The live ingest must be paused or stopped, as for the swap itself.
    public func finishInterruptedSwap(_ generation: RebuildGeneration) async throws -> String? {
        try await locked {
            guard let journal = try await self.journal(of: generation.live.projection), !journal.isDone else { return nil }
            let from = journal.next
            try await self.runFinishing(journal, live: generation)
            return "finished the interrupted \(journal.kind) (it had stopped before step \(from + 1) of \(journal.totalSteps): \(journal.describe(step: from)))"
        }
    }

    public func unfinishedSwap(_ generation: RebuildGeneration) async throws -> String? {
        guard let journal = try await journal(of: generation.live.projection), !journal.isDone else { return nil }
        return "an interrupted \(journal.kind) stopped before step \(journal.next + 1) of \(journal.totalSteps) (\(journal.describe(step: journal.next))); `projection-migrate \(journal.rerun)` finishes it"
    }

    static func unfinished(_ journal: ClickHouseSwapJournal) -> RebuildError {
        RebuildError(code: .cutoverInterrupted, detail: """
            an interrupted \(journal.kind) is unfinished (next: step \(journal.next + 1) of \(journal.totalSteps), \
            \(journal.describe(step: journal.next))): run `projection-migrate \(journal.rerun)` again to finish it; it starts nothing new
            """)
    }

    static func interrupted(_ journal: ClickHouseSwapJournal, _ error: any Error) -> RebuildError {
        RebuildError(code: .cutoverInterrupted, detail: """
            the \(journal.kind) stopped at step \(journal.next + 1) of \(journal.totalSteps) \
            (\(journal.describe(step: journal.next))): \(error). \(journal.tenant == nil ? "The live checkpoints are" : "The tenant's rows and keys are") \
            not fully moved, so no ingest loads the live checkpoints until it is finished: run `projection-migrate \(journal.rerun)` \
            again (the live ingest stays paused)
            """)
    }

    /// Swaps hold the migration lock: two runs finishing one journal at once would undo each other's
    /// steps, and a migration must not change the tables mid-swap.
    func locked<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await client.execute(ClickHouseMigrationLock.createTable)
        for statement in ClickHouseMigrationLock.upgradeTable { try await client.execute(statement) }
        return try await ClickHouseMigrationLock(client: client, lease: .seconds(30))
            .withLock(timeout: .seconds(120), onEvent: { _ in }, body)
    }

    /// Runs the swap from `start`; a failure (a lost connection, a timed-out statement) is retried from the
    /// journal after each of `finishRetries`, and only then reported as `cutoverInterrupted`.
    func runFinishing(_ start: ClickHouseSwapJournal, live: RebuildGeneration) async throws {
        var failure: RebuildError
        do {
            try await run(start, live: live)
            return
        } catch let error as RebuildError {
            failure = error
        }
        for delay in finishRetries {
            try await Task.sleep(for: delay)
            do {
                guard let current = try await journal(of: live.live.projection) else { throw failure }
                if current.isDone { return }
                try await run(current, live: live)
                return
            } catch let error as RebuildError {
                failure = error
            } catch {
                failure = Self.interrupted(start, error)
            }
        }
        throw failure
    }

    // MARK: - Steps

    private func run(_ start: ClickHouseSwapJournal, live: RebuildGeneration) async throws {
        var journal = start
        let generation = journal.generation(live: live)
        let projection = live.live.projection
        while journal.next < journal.totalSteps {
            do {
                try faultPoint("before step \(journal.next)")
                try await perform(journal.next, journal, generation)
                try faultPoint("after step \(journal.next)")
                journal.next += 1
                if journal.isDone { journal.next = journal.doneStep }
                try await record(journal, projection)
            } catch {
                throw Self.interrupted(journal, error)
            }
        }
        // The last record said `done` (next = totalSteps): it stays until the next swap.
    }

    private func perform(_ index: Int, _ journal: ClickHouseSwapJournal, _ generation: RebuildGeneration) async throws {
        let live = generation.live.projection
        let liveSide = (live, ""), parkedSide = (live + Self.parkingSuffix, Self.parkingSuffix)
        let incomingSide = (journal.incomingProjection, journal.incomingSuffix)
        let previousSide = (live + RebuildGeneration.previousSuffix, RebuildGeneration.previousSuffix)
        if let tenant = journal.tenant {
            return try await performTenant(index, tenant: tenant, journal, generation)
        }
        // Each internal step empties its target first, so running it again gives the same rows.
        switch ClickHouseSwapJournal.Step(rawValue: index) {
        case .parkLive:
            for table in Self.internalTables {
                try await deleteNamespace(table.name, parkedSide.0)
                try await copyNamespace(table, from: liveSide, to: parkedSide, consumers: generation.consumers)
            }
        case .moveIncomingIn:
            for table in Self.internalTables {
                try await deleteNamespace(table.name, liveSide.0)
                try await copyNamespace(table, from: incomingSide, to: liveSide, consumers: generation.consumers, epochs: generation.leaseEpochs)
            }
        case .clearIncoming:
            for table in Self.internalTables { try await deleteNamespace(table.name, incomingSide.0) }
        case .keepParked:
            for table in Self.internalTables {
                try await deleteNamespace(table.name, previousSide.0)
                if journal.keepPrevious { try await copyNamespace(table, from: parkedSide, to: previousSide, consumers: generation.consumers) }
            }
        case .clearParked:
            for table in Self.internalTables { try await deleteNamespace(table.name, parkedSide.0) }
        case nil:
            guard let table = journal.table(atStep: index) else { return }
            try await exchange(table, journal)
        }
    }

    /// One table: exchange it with its incoming twin, then keep the replaced one as `__previous` or drop
    /// it. Every part checks the UUIDs first, so a repeat neither exchanges back nor drops what it kept.
    private func exchange(_ name: String, _ journal: ClickHouseSwapJournal) async throws {
        let incomingName = name + journal.incomingSuffix, previousName = name + RebuildGeneration.previousSuffix
        guard let replaced = journal.uuids[name], let incoming = journal.uuids[incomingName] else {
            throw StoreError(code: .unexpectedResponse, detail: "the cutover journal has no UUIDs of \(name)")
        }
        var now = try await uuids(of: [name, incomingName, previousName])
        switch now[name] {
        case replaced:
            try await client.execute("EXCHANGE TABLES \(name) AND \(incomingName)")
            try faultPoint("exchanged \(name)")
            now = try await uuids(of: [name, incomingName, previousName])
            // Anything but the incoming table now would be an exchange run twice (say, a statement the client
            // gave up on that the server still ran): stop rather than record a step that did not happen.
            guard now[name] == incoming else {
                throw StoreError(code: .unexpectedResponse, detail: "table \(name) is not the incoming one after its exchange; nothing more was done")
            }
        case incoming:
            break
        default:
            throw StoreError(code: .unexpectedResponse, detail: "table \(name) is neither the one the \(journal.kind) replaces nor the incoming one: it changed meanwhile; nothing more was done")
        }
        // A rollback's replaced tables are the `__previous` ones already.
        guard journal.incomingSuffix != RebuildGeneration.previousSuffix else { return }
        if let older = now[previousName], older != replaced {
            try await client.execute("DROP TABLE IF EXISTS \(previousName) SYNC")
            try faultPoint("dropped the older \(previousName)")
        }
        guard now[incomingName] == replaced else { return }
        if journal.keepPrevious {
            try await client.execute("RENAME TABLE \(incomingName) TO \(previousName)")
        } else {
            try await client.execute("DROP TABLE \(incomingName) SYNC")
        }
    }

    // MARK: - Journal and UUIDs

    func journal(of projection: String) async throws -> ClickHouseSwapJournal? {
        try await Self.journal(of: projection, client: client)
    }

    static func journal(of projection: String, client: ClickHouseClient) async throws -> ClickHouseSwapJournal? {
        let text = try await client.query(
            """
            SELECT batch_scope FROM _projection_checkpoints WHERE projection = {p:String}
            ORDER BY version DESC LIMIT 1 FORMAT JSONEachRow
            """,
            parameters: ["p": projection + ClickHouseSwapJournal.namespaceSuffix]).text
        guard let line = text.split(separator: "\n").first, !line.isEmpty else { return nil }
        struct Row: Decodable { var batch_scope: String }
        guard let row = try? JSONDecoder().decode(Row.self, from: Data(line.utf8)) else {
            throw StoreError(code: .unexpectedResponse, detail: "unreadable cutover journal row")
        }
        return try ClickHouseSwapJournal(encoded: row.batch_scope)
    }

    /// A new row per step (`version` = the swap's base + steps done): the newest one is the journal.
    func record(_ journal: ClickHouseSwapJournal, _ projection: String) async throws {
        try await client.execute(
            """
            INSERT INTO _projection_checkpoints (projection, consumer, partition, first_sequence, last_sequence, state, lease_epoch, version, updated_at, batch_scope)
            SELECT {p:String}, '', 0, 0, 0, 'after', 0, {v:UInt64}, now64(3), {j:String}
            """,
            parameters: ["p": projection + ClickHouseSwapJournal.namespaceSuffix, "v": String(journal.versionBase + UInt64(journal.next)), "j": journal.encoded],
            settings: ["insert_deduplicate": "0"])
    }

    /// name → UUID of those of `names` that exist in the current database.
    func uuids(of names: [String]) async throws -> [String: String] {
        // Table names are identifiers (letters, digits, `_`): they quote plainly.
        let list = "[" + names.map { "'\($0)'" }.joined(separator: ",") + "]"
        let text = try await client.query(
            "SELECT name, toString(uuid) FROM system.tables WHERE database = currentDatabase() AND has({n:Array(String)}, name) FORMAT TabSeparated",
            parameters: ["n": list]).text
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count == 2 { result[String(fields[0])] = String(fields[1]) }
        }
        return result
    }
}
