import Columnstore
import Foundation

/// A cutover or rollback that stopped part-way (ClickHouse: a crash or a lost connection between its
/// steps) is finished before `rebuild` or `rollback` does anything else: a new rebuild's `prepare` would
/// drop tables the unfinished swap still holds, and no ingest loads the live checkpoint until it is done.
/// The command then stops: it finishes what was started and starts nothing new.
struct InterruptedSwap: Sendable {
    let rebuilder: any ProjectionRebuilder
    let generation: RebuildGeneration
    /// Replica mode: the replicas are held off through the lease bucket while it finishes.
    let partitions: RebuildPartitions?
    /// The live ingest to pause (until idle) before finishing; nil when it is stopped. It is left paused
    /// afterwards: the swap may have put in tables of another mapping than the one it runs (a hot
    /// upgrade's `--leave-live-paused` is not known here), so the operator reloads and resumes it.
    let live: IngestAdminClient?
    /// Whether the command may change the live tables (`rebuild` without `--cutover` may not).
    let mayFinish: Bool
    let note: @Sendable (String) -> Void

    /// Whether one was finished.
    func finishIfAny() async throws -> Bool {
        guard let unfinished = try await rebuilder.unfinishedSwap(generation) else { return false }
        guard mayFinish else {
            throw RebuildError(code: .cutoverInterrupted, detail: "\(unfinished) (with --live-admin or --live-stopped); nothing was started")
        }
        note("\(unfinished): finishing it; nothing new is started")
        if let partitions {
            let (rebuilder, generation) = (self.rebuilder, self.generation)
            let finished = try await RebuildHold(partitions: partitions, note: note).holding { epochs in
                var fenced = generation
                fenced.leaseEpochs = epochs
                return try await rebuilder.finishInterruptedSwap(fenced) ?? "nothing left to finish"
            }
            note("\(finished); the replicas continue from the live checkpoints")
            return true
        }
        if let live {
            guard try await live.pause().idle == true else {
                throw RebuildError(code: .ingestUnavailable, detail: "the live ingest did not become idle; it stays paused and nothing was finished")
            }
        }
        note(try await rebuilder.finishInterruptedSwap(generation) ?? "nothing left to finish")
        note(live == nil
             ? "start the projection-ingest whose mapping matches the generation now live"
             : "live ingest left paused: after a tenant cutover, POST /admin/resume; after a cutover or rollback, if its mapping matches the generation now live, POST /admin/reload then /admin/resume, else restart it with the right descriptor set")
        return true
    }
}
