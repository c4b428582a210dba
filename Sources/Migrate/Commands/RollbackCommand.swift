import ArgumentParser
import Columnstore
import Foundation

/// `projection-migrate rollback`: swaps the `__previous` tables (kept by `rebuild --cutover
/// --keep-previous`) back in. The generation it replaces becomes `__previous`, so a rollback can be undone.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Swap the previous generation of the tables back in (after rebuild --cutover --keep-previous).",
        discussion: """
        With PROJECTION_PARTITIONS=P (replica mode) no --live-admin is needed: the replicas are paused through \
        the lease bucket, every partition's checkpoint is swapped back under the rollback's own leases, and \
        the replicas continue from it (docs/SCALING.md).
        """)

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("descriptor-set"), help: "FileDescriptorSet of the projection (default: $PROJECTION_DESCRIPTOR_SET, else the built-in orders-analytics).")
    var descriptorSet: String?

    @Option(help: "Base URL of the live projection-ingest, to pause and reload it around the swap.")
    var liveAdmin: String?

    @Flag(help: "Assert that the live projection-ingest is stopped (instead of --live-admin).")
    var liveStopped = false

    // Rolling back a hot upgrade: the running ingest has the new mapping, which does not fit the old tables.
    @Flag(help: "With --live-admin: leave the live ingest paused after the swap (not reloaded). For rolling back a changed mapping: stop it and start the projection-ingest with the old descriptor set.")
    var leaveLivePaused = false

    @Flag(help: "Roll back although other durables have checkpoints or quarantine entries in the live tables: the previous generation has nothing they wrote since. Only for durables that are retired.")
    var allowOtherDurables = false

    func validate() throws {
        // An invalid setting is reported by run(), with its exit code.
        if (try? MigrateEnvironment.current())?.partitions != nil {
            guard liveAdmin == nil, !leaveLivePaused else {
                throw ValidationError("with PROJECTION_PARTITIONS the replicas are paused through the lease bucket: leave out --live-admin and --leave-live-paused")
            }
            return
        }
        if liveAdmin == nil, !liveStopped { throw ValidationError("pass --live-admin URL or --live-stopped") }
        if leaveLivePaused, liveAdmin == nil { throw ValidationError("--leave-live-paused: only with --live-admin URL") }
    }

    func run() async throws {
        do {
            let environment = try MigrateEnvironment.current()
            let resolved = try store.resolve(environment)
            let schema = try ProjectionSchema.resolve(descriptorSetPath: descriptorSet ?? environment.descriptorSet, projection: environment.projection)
            let generation = environment.live
            let rebuilder = try RebuildCommand.rebuilder(resolved, schema: schema)
            let live = liveAdmin.map { IngestAdminClient(baseURL: $0, token: environment.adminToken) }
            // The swap would put back tables without what other durables wrote: refused first, as a cutover is.
            do {
                let finishing = InterruptedSwap(
                    rebuilder: rebuilder, generation: generation, partitions: environment.partitions, live: live,
                    mayFinish: true, note: { Self.note($0) })
                if try await finishing.finishIfAny() {
                    await rebuilder.close()
                    return
                }
                let others = try await rebuilder.otherDurables(than: generation)
                if !others.isEmpty, !allowOtherDurables {
                    throw RebuildError(code: .otherDurables, detail: """
                        \(others.joined(separator: ", ")) also write these tables (checkpoints or quarantine entries): the \
                        previous generation lacks what they wrote. Nothing was changed. Pass --allow-other-durables only \
                        if they are retired.
                        """)
                }
            } catch {
                await rebuilder.close()
                throw error
            }
            if let partitions = environment.partitions {
                do {
                    try await RebuildHold(partitions: partitions, note: { Self.note($0) }).holding { epochs in
                        var fenced = generation
                        fenced.leaseEpochs = epochs
                        try await rebuilder.rollback(fenced)
                    }
                } catch {
                    await rebuilder.close()
                    throw error
                }
                await rebuilder.close()
                Self.note("the previous generation is live again; the replicas continue from its checkpoints")
                return
            }
            // Idle, or nothing is rolled back: a batch still retrying would meet the swapped checkpoint.
            if let live { try await RebuildCommand.pauseUntilIdle(live) }
            do {
                try await rebuilder.rollback(generation)
            } catch {
                if let live {
                    if RebuildCommand.interrupted(error) {
                        Self.note("live ingest left paused: the swap stopped part-way (run the same command again to finish it)")
                    } else {
                        _ = try? await live.resume()
                    }
                }
                await rebuilder.close()
                throw error
            }
            await rebuilder.close()
            if let live, !leaveLivePaused {
                try await live.reload()
                try await live.resume()
            }
            Self.note("the previous generation is live again")
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data("rollback: \(text)\n".utf8))
    }
}
