import Columnstore
import Foundation

extension RebuildCommand {
    /// Replica mode: the replicas are paused through the lease bucket (`RebuildHold`), every partition's
    /// rebuilt checkpoint is swapped in under the cutover's own leases, and the replicas resume from it
    /// when they take the partitions again. With `--live-stopped` the hold is taken all the same (it costs
    /// nothing when no replica runs, and stops one that was started too early).
    func cutOverPartitions(_ partitions: RebuildPartitions, _ rebuilder: any ProjectionRebuilder, _ generation: RebuildGeneration) async throws {
        let keep = keepPrevious
        let say: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("rebuild: \($0)\n".utf8)) }
        try await RebuildHold(partitions: partitions, note: say).holding { epochs in
            var fenced = generation
            fenced.leaseEpochs = epochs
            try await rebuilder.cutover(fenced, keepPrevious: keep)
        }
        note("cut over \(partitions.count) partitions: the rebuilt tables are live\(keepPrevious ? "; the replaced ones are kept as __previous" : " and the replaced ones dropped"); the replicas continue from the rebuilt checkpoints")
    }
}
