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
    /// The live ingest to pause (it has no checkpoint to write after, so nothing is in flight) and to
    /// reload and resume afterwards; nil when it is stopped.
    let live: IngestAdminClient?
    let leaveLivePaused: Bool
    /// Whether the command may change the live tables (`rebuild` without `--cutover` may not).
    let mayFinish: Bool
    let note: @Sendable (String) -> Void

    /// Whether one was finished.
    func finishIfAny() async throws -> Bool {
        guard let unfinished = try await rebuilder.unfinishedSwap(generation) else { return false }
        guard mayFinish else {
            throw RebuildError(code: .cutoverInterrupted, detail: "\(unfinished); nothing was started. Run `projection-migrate rebuild --cutover` (with --live-admin or --live-stopped) to finish it")
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
        if let live { _ = try await live.pause() }
        note(try await rebuilder.finishInterruptedSwap(generation) ?? "nothing left to finish")
        if let live {
            if leaveLivePaused {
                note("live ingest left paused")
            } else {
                try await live.reload()
                try await live.resume()
                note("live ingest reloaded its checkpoint and resumed")
            }
        } else {
            note("start the live projection-ingest now")
        }
        return true
    }
}
