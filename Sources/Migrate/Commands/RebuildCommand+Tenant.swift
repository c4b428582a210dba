import Columnstore
import Foundation

extension RebuildCommand {
    /// A tenant-scoped cutover. The live checkpoint stays, so the rebuilt rows must cover exactly what
    /// the live ingest applied: the live ingest is paused first (its checkpoint L then holds still), the
    /// replay runs on until it reached L, and the tenant's rows and keys are replaced. Facts of the
    /// tenant the replay applied above L are skipped by the live ingest through the moved keys.
    func cutOverTenant(_ tenant: String, _ rebuilder: any ProjectionRebuilder, _ generation: RebuildGeneration,
                       resolved: ResolvedStore, descriptorPath: String?, replayed: UInt64) async throws {
        let live = try await pauseLive()
        do {
            let liveCheckpoint = try await rebuilder.checkpoint(of: generation.live)
            if replayed < liveCheckpoint {
                note("replaying on to the paused live checkpoint \(liveCheckpoint)")
                let reached = try await replay(resolved, generation: generation, descriptorPath: descriptorPath, until: liveCheckpoint)
                note("replay stopped at sequence \(reached)")
            }
            try await rebuilder.cutoverTenant(tenant, generation: generation, liveCheckpoint: liveCheckpoint)
        } catch let error as RebuildError where error.code == .cutoverInterrupted {
            // Part of the tenant moved (ClickHouse's journaled steps): the live ingest stays paused until a
            // rerun finishes it; resumed now it would apply facts over a half-moved tenant.
            if live != nil { note("live ingest left paused: run the same command again to finish the cutover; it then resumes nothing by itself") }
            throw error
        } catch {
            // Resumed only when no journal is left unfinished (ClickHouse): whatever the error's kind, a
            // half-moved tenant keeps the live ingest paused; when that cannot be told, it stays paused too.
            if let live {
                let nothingUnfinished: Bool
                do { nothingUnfinished = try await rebuilder.unfinishedSwap(generation) == nil } catch { nothingUnfinished = false }
                if nothingUnfinished {
                    _ = try? await live.resume()
                } else {
                    note("live ingest left paused: the cutover may have started; run the same command again to finish it")
                }
            }
            throw error
        }
        note("cut over tenant \(tenant): its rows, seen keys and quarantine are the rebuilt ones; other tenants untouched")
        if let live {
            try await live.resume()
            note("live ingest resumed")
        } else {
            note("start the live projection-ingest now")
        }
    }
}
