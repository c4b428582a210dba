import ArgumentParser
import Columnstore
import Foundation
import StoreBackends

/// `projection-migrate rebuild`: replays the stream into fresh shadow tables while the live ones keep
/// serving, then (with `--cutover`) swaps them in atomically. See docs/OPERATIONS.md.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Replay the stream into fresh tables, then optionally cut over to them.",
        discussion: """
        Creates empty shadow tables <table>__rebuild and runs a projection-ingest beside the live one \
        (PROJECTION_TABLE_SUFFIX=__rebuild, its own durable, checkpoint, seen keys and quarantine), from \
        --from-sequence (default 1), showing sequence, rate and ETA. Once it is within --catch-up-lag of the \
        stream's end it stops. With --cutover it then swaps the shadow tables in (Postgres: one transaction; \
        ClickHouse: EXCHANGE TABLES per table) and moves the rebuild's checkpoint to the live consumer: the \
        live ingest is paused and reloaded through --live-admin (token from $PROJECTION_ADMIN_TOKEN), or must \
        be stopped (--live-stopped) and started again afterwards. The replaced tables are dropped, or kept as \
        <table>__previous with --keep-previous (then `projection-migrate rollback` swaps them back). \
        With --tenant T only that tenant is rebuilt: the replay applies T's facts only, and the cutover \
        replaces T's rows, seen keys and quarantine entries in the live tables (Postgres: one transaction; \
        ClickHouse: delete then insert per table), after the replay reached the paused live checkpoint; the \
        live checkpoint and every other tenant stay as they are (no --keep-previous). \
        NATS settings come from the ingest environment (PROJECTION_NATS_URL, PROJECTION_STREAM, ...). \
        With PROJECTION_PARTITIONS=P (replica mode) the replay runs every partition (one rebuild replica, \
        durables <durable>__rebuild), and --cutover needs no --live-admin: it holds the projection through \
        the lease bucket (the replicas hand every partition back), takes the partitions' leases itself, swaps \
        every partition's checkpoint in under those leases and lets the replicas take the partitions again \
        (docs/SCALING.md). --tenant, --from-sequence and --leave-live-paused are not supported there.
        """)

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("descriptor-set"), help: "FileDescriptorSet of the projection (default: $PROJECTION_DESCRIPTOR_SET, else the built-in orders-analytics). A new version here is a hot upgrade.")
    var descriptorSet: String?

    @Option(help: "Replay from this stream sequence (default 1). Rows of earlier facts are not in the rebuilt tables.")
    var fromSequence: UInt64 = 1

    @Option(help: "Stop the replay once the stream's last sequence is at most this far ahead.")
    var catchUpLag: UInt64 = 1000

    @Flag(help: "After the replay, swap the rebuilt tables in.")
    var cutover = false

    @Option(help: "Base URL of the live projection-ingest (e.g. http://ingest:8081), to pause and reload it around the cutover.")
    var liveAdmin: String?

    @Flag(help: "Assert that the live projection-ingest is stopped (instead of --live-admin).")
    var liveStopped = false

    @Option(help: "Rebuild only this tenant's rows (and its seen keys and quarantine); the others are not touched.")
    var tenant: String?

    // A changed mapping (hot upgrade) must not be resumed: the old ingest would write rows of its own
    // mapping into the new tables (a new column left empty for those facts) until the new one is deployed.
    @Flag(help: "With --live-admin: after the cutover leave the live ingest paused (not reloaded). For a changed mapping: stop it and start the projection-ingest with the new descriptor set; it continues from the rebuilt checkpoint.")
    var leaveLivePaused = false

    @Flag(help: "Keep the replaced tables as <table>__previous for a rollback.")
    var keepPrevious = false

    @Flag(help: "Cut over although other durables (another stream or partition into the same tables) have checkpoints or quarantine entries in them: the rebuild replays only this durable's stream, so a cutover replaces what they wrote (with --tenant: that tenant's). Only when they are retired, or (with --tenant) write none of that tenant's facts, as hand-configured partitions that hash tenants apart do.")
    var allowOtherDurables = false

    @Option(help: "The projection-ingest executable (default: next to this one).")
    var ingestBinary: String?

    @Option(help: "Give up when the replay has not caught up after this many seconds.")
    var timeout: Int = 86_400

    func validate() throws {
        guard fromSequence >= 1 else { throw ValidationError("--from-sequence: stream sequences start at 1") }
        // An invalid setting is reported by run(), with its exit code.
        if (try? MigrateEnvironment.current())?.partitions != nil {
            // Replica mode: the cutover pauses the replicas through their leases.
            guard tenant == nil else { throw ValidationError("--tenant: not supported with PROJECTION_PARTITIONS yet") }
            guard fromSequence == 1 else { throw ValidationError("--from-sequence: every partition's stream numbers from 1; not supported with PROJECTION_PARTITIONS") }
            guard liveAdmin == nil else { throw ValidationError("--live-admin: with PROJECTION_PARTITIONS the replicas are paused through the lease bucket; leave it out") }
            guard !leaveLivePaused else { throw ValidationError("--leave-live-paused: with PROJECTION_PARTITIONS stop the replicas and pass --live-stopped") }
            return
        }
        if let tenant {
            guard !tenant.isEmpty else { throw ValidationError("--tenant: name a tenant") }
            guard !keepPrevious else { throw ValidationError("--tenant: --keep-previous is not supported for a tenant-scoped rebuild") }
            guard !leaveLivePaused else { throw ValidationError("--tenant: --leave-live-paused is for a changed mapping, which a tenant-scoped rebuild cannot deploy") }
        }
        if cutover, liveAdmin == nil, !liveStopped {
            throw ValidationError("--cutover: pass --live-admin URL (the live ingest is paused and reloaded) or --live-stopped")
        }
        if leaveLivePaused, !cutover || liveAdmin == nil {
            throw ValidationError("--leave-live-paused: only with --cutover and --live-admin URL")
        }
    }

    func run() async throws {
        do {
            let environment = try MigrateEnvironment.current()
            let resolved = try store.resolve(environment)
            let descriptorPath = descriptorSet ?? environment.descriptorSet
            let schema = try ProjectionSchema.resolve(descriptorSetPath: descriptorPath, projection: environment.projection)
            let generation = environment.live
            let rebuilder = try Self.rebuilder(resolved, schema: schema)
            // Closed on every path and awaited: no task outlives the command.
            try await Self.closing(rebuilder) {
                let finishing = InterruptedSwap(
                    rebuilder: rebuilder, generation: generation, partitions: environment.partitions,
                    live: liveAdmin.map { IngestAdminClient(baseURL: $0, token: environment.adminToken) },
                    mayFinish: cutover, note: { FileHandle.standardError.write(Data("rebuild: \($0)\n".utf8)) })
                if try await finishing.finishIfAny() { return }
                // Before the replay (which may take hours) and again before the cutover: another durable
                // may have started writing meanwhile.
                try await checkOtherDurables(rebuilder, generation)
                try await rebuilder.prepare(generation, fromSequence: fromSequence)
                note("shadow tables \(schema.tables.map { $0.name + RebuildGeneration.rebuildSuffix }.joined(separator: ", ")) created; replaying from sequence \(fromSequence)")
                let checkpoint = try await replay(resolved, generation: generation, descriptorPath: descriptorPath)
                note("replay stopped at sequence \(checkpoint)")
                guard cutover else {
                    note("not cut over: run again with --cutover, or drop the __rebuild tables")
                    return
                }
                try await checkOtherDurables(rebuilder, generation)
                if let partitions = environment.partitions {
                    try await cutOverPartitions(partitions, rebuilder, generation)
                } else if let tenant {
                    try await cutOverTenant(tenant, rebuilder, generation, resolved: resolved, descriptorPath: descriptorPath, replayed: checkpoint)
                } else {
                    try await cutOver(rebuilder, generation)
                }
            }
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }

    /// Refuses a cutover that would replace what other durables wrote (`other_durables`), unless
    /// `--allow-other-durables`; without `--cutover` (nothing live changes) it only says so.
    func checkOtherDurables(_ rebuilder: any ProjectionRebuilder, _ generation: RebuildGeneration) async throws {
        let others = try await rebuilder.otherDurables(than: generation)
        guard !others.isEmpty else { return }
        guard cutover, !allowOtherDurables else {
            note("other durables write these tables: \(others.joined(separator: ", ")); a cutover replaces what they wrote\(tenant.map { " of tenant \($0)" } ?? "")")
            return
        }
        throw RebuildError(code: .otherDurables, detail: """
            \(others.joined(separator: ", ")) also write these tables (checkpoints or quarantine entries), and this \
            rebuild replays only \(generation.consumers.map(\.consumer).joined(separator: ", ")): its cutover would replace \
            what they wrote\(tenant.map { " of tenant \($0)" } ?? ""). Nothing was changed. Pass --allow-other-durables \
            only if they are retired\(tenant == nil ? "" : " or write no facts of that tenant (hand-configured partitions that hash tenants apart)").
            """)
    }

    /// Runs `body`, then closes `rebuilder` whether it threw or not.
    static func closing(_ rebuilder: any ProjectionRebuilder, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await rebuilder.close()
            throw error
        }
        await rebuilder.close()
    }

    static func rebuilder(_ resolved: ResolvedStore, schema: ProjectionSchema) throws -> any ProjectionRebuilder {
        try resolved.storeBackend.rebuilder(schema: schema)
    }

    /// Runs the rebuild's ingest until it is within `catchUpLag` of the stream (or, with `target`, has
    /// applied everything up to it), then stops it (SIGTERM drains: what it holds is written) and returns
    /// its checkpoint.
    func replay(_ resolved: ResolvedStore, generation: RebuildGeneration, descriptorPath: String?, until target: UInt64? = nil) async throws -> UInt64 {
        let port = FreePort.pick() ?? Int.random(in: 20_000...29_999)
        var environment = ProcessInfo.processInfo.environment
        environment["PROJECTION_STORE_KIND"] = resolved.kind.environmentValue
        environment["PROJECTION_STORE_DSN"] = resolved.dsn
        environment["PROJECTION_TABLE_SUFFIX"] = RebuildGeneration.rebuildSuffix
        environment["PORT_HTTP"] = String(port)
        environment["PROJECTION_ADMIN_TOKEN"] = nil
        // The replay starts where `prepare` put its checkpoint (--from-sequence): a live deployment's
        // `PROJECTION_START_AT=new` must not make it skip the stream (an empty projection would be cut
        // over), and its push ingress is the live ingest's, not the replay's.
        environment["PROJECTION_START_AT"] = "first"
        environment["PROJECTION_INGRESS"] = "false"
        let partitions = try MigrateEnvironment.current().partitions
        if let partitions {
            // One rebuild replica takes every partition: its leases live under its own namespace.
            environment["PROJECTION_DURABLE"] = partitions.durableTemplate + RebuildGeneration.rebuildSuffix
            environment["PROJECTION_REPLICA_ID"] = "rebuild-\(ProcessInfo.processInfo.processIdentifier)"
        } else {
            environment["PROJECTION_DURABLE"] = generation.rebuild.consumer
            environment["PROJECTION_PARTITIONS"] = nil
        }
        environment["PROJECTION_TENANT_FILTER"] = tenant
        if let descriptorPath { environment["PROJECTION_DESCRIPTOR_SET"] = descriptorPath }
        let child = try IngestChild.start(binary: ingestBinary ?? IngestChild.defaultBinary(), environment: environment)
        let admin = IngestAdminClient(baseURL: "http://127.0.0.1:\(port)", token: nil)
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + .seconds(timeout)
        var lastPrint = started - .seconds(1)
        var caughtUp = false
        while clock.now < deadline {
            guard child.isRunning else {
                // Stopped by a signal to this command: its handler exits with the signal's status.
                while IngestChildren.isStopping { try? await clock.sleep(for: .seconds(60)) }
                throw RebuildError(code: .ingestUnavailable, detail: "the rebuild's projection-ingest exited (\(child.exitStatus)); its log: \(child.logPath)")
            }
            if let status = try? await admin.ingestion(),
               let (checkpoint, last, behind) = Self.progress(status, partitions: partitions?.count), last > 0 {
                let done = checkpoint >= fromSequence ? checkpoint - fromSequence + 1 : 0
                let elapsed = Double((clock.now - started).components.seconds) + Double((clock.now - started).components.attoseconds) / 1e18
                let rate = elapsed > 0 ? Double(done) / elapsed : 0
                let remaining = last > checkpoint ? last - checkpoint : 0
                if clock.now - lastPrint >= .seconds(1) {
                    let eta = rate > 0 ? String(format: "%.0fs", Double(remaining) / rate) : "?"
                    note(String(format: "sequence %llu of %llu, %.0f facts/s, ETA %@", checkpoint, last, rate, eta))
                    lastPrint = clock.now
                }
                if let target {
                    if checkpoint >= target { caughtUp = true; break }
                } else if behind <= catchUpLag { caughtUp = true; break }
            }
            try await clock.sleep(for: .milliseconds(200))
        }
        let exited = await child.terminate(timeout: .seconds(60))
        guard caughtUp else { throw RebuildError(code: .notCaughtUp, detail: "not caught up after \(timeout)s; the shadow tables are left as they are") }
        guard exited else { throw RebuildError(code: .ingestUnavailable, detail: "the rebuild's projection-ingest did not stop on SIGTERM") }
        let rebuilder = try Self.rebuilder(resolved, schema: ProjectionSchema.resolve(descriptorSetPath: descriptorPath, projection: generation.live.projection))
        var total: UInt64 = 0
        do {
            for consumer in generation.consumers { total += try await rebuilder.checkpoint(of: generation.rebuild(of: consumer)) }
        } catch {
            await rebuilder.close()
            throw error
        }
        await rebuilder.close()
        return total
    }

    /// (checkpoint, stream's last sequence, how far the furthest-behind partition is) from the rebuild
    /// ingest's `/admin/ingestion`; summed over the partitions in replica mode, once it runs all of them.
    static func progress(_ status: IngestionProgress, partitions: Int?) -> (UInt64, UInt64, UInt64)? {
        func counts(_ s: IngestionProgress) -> (UInt64, UInt64)? {
            guard let checkpoint = s.checkpoint, let last = s.streamLastSequence else { return nil }
            return (checkpoint, last)
        }
        guard let partitions else {
            return counts(status).map { ($0.0, $0.1, $0.1 > $0.0 ? $0.1 - $0.0 : 0) }
        }
        guard let list = status.partitions, list.count == partitions else { return nil }
        var checkpoint: UInt64 = 0, last: UInt64 = 0, behind: UInt64 = 0
        for entry in list {
            guard let (c, l) = counts(entry.status) else { return nil }
            checkpoint += c
            last += l
            behind = max(behind, l > c ? l - c : 0)
        }
        return (checkpoint, last, behind)
    }

    /// The live ingest's admin client (`--live-admin`), paused until idle; nil with `--live-stopped`.
    func pauseLive() async throws -> IngestAdminClient? {
        guard let url = liveAdmin else { return nil }
        let live = IngestAdminClient(baseURL: url, token: try MigrateEnvironment.current().adminToken)
        try await Self.pauseUntilIdle(live)
        return live
    }

    /// Pauses the live ingest and waits until it is idle. Anything else (a batch still failing, a pause that
    /// did not answer) resumes it, so a refused swap never leaves it paused, and throws: nothing is swapped.
    static func pauseUntilIdle(_ live: IngestAdminClient) async throws {
        let paused: PauseAnswer
        do {
            paused = try await live.pause()
        } catch {
            _ = try? await live.resume()
            throw error
        }
        guard paused.idle == true else {
            _ = try? await live.resume()
            throw RebuildError(code: .ingestUnavailable, detail: "the live ingest did not become idle (a batch is failing); resumed it, nothing was swapped")
        }
    }

    private func cutOver(_ rebuilder: any ProjectionRebuilder, _ generation: RebuildGeneration) async throws {
        let live = try await pauseLive()
        do {
            try await rebuilder.cutover(generation, keepPrevious: keepPrevious)
        } catch {
            if let live {
                if Self.interrupted(error) {
                    note("live ingest left paused: the swap stopped part-way (run the same command again to finish it)")
                } else {
                    _ = try? await live.resume()
                }
            }
            throw error
        }
        note("cut over: the rebuilt tables are live\(keepPrevious ? "; the replaced ones are kept as __previous" : " and the replaced ones dropped")")
        if live != nil, leaveLivePaused {
            note("live ingest left paused: stop it and start projection-ingest with the new descriptor set; it continues from the rebuilt checkpoint")
        } else if let live {
            try await live.reload()
            try await live.resume()
            note("live ingest reloaded its checkpoint and resumed")
        } else {
            note("start the live projection-ingest now: it continues from the rebuilt checkpoint")
        }
    }

    /// A swap stopped part-way: resuming the live ingest would only meet `cutover_unfinished`.
    static func interrupted(_ error: any Error) -> Bool {
        (error as? RebuildError)?.code == .cutoverInterrupted
    }

    func note(_ text: String) {
        FileHandle.standardError.write(Data("rebuild: \(text)\n".utf8))
    }
}
