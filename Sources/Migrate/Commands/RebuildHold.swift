import Columnstore
import Foundation
import JetStream

/// How `rebuild --cutover` and `rollback` pause a partitioned projection's replicas: through the lease
/// bucket they share, not their admin ports.
///
/// 1. Write `hold.<projection>`. Every replica that sees it (within a tick) drains its partitions and
///    deletes their leases, and takes none while it lasts (`LeaseStateMachine`, "held").
/// 2. Wait until no `lease.<projection>.<N>` key is left (a frozen replica's expires with the TTL), then
///    create every partition's lease key itself. Its revisions are the cutover's lease epochs: higher than
///    any epoch a replica wrote under, so the swap raises each moved checkpoint to it and a replica still
///    writing under an older lease (a zombie) is fenced.
/// 3. Run the swap while renewing the hold and the leases every third of the TTL.
/// 4. Delete the leases, then the hold: replicas take the partitions again under new, higher epochs, fence,
///    and load the checkpoints the swap left. That is how they learn of the cutover.
///
/// If this process dies, the hold and its leases expire with the TTL and the replicas resume.
struct RebuildHold: Sendable {
    let partitions: RebuildPartitions
    let note: @Sendable (String) -> Void
    /// How long to wait for the replicas to hand every partition back.
    var releaseTimeout: Duration = .seconds(300)

    var holdKey: String { "hold.\(partitions.projection)" }
    func leaseKey(_ partition: Int) -> String { "lease.\(partitions.projection).\(partition)" }

    func holding<T: Sendable>(_ body: @escaping @Sendable ([Int: UInt64]) async throws -> T) async throws -> T {
        let connection: NATSConnection
        let bucket: KeyValueBucket
        do {
            connection = try await NATSConnection.connect(url: partitions.natsURL, name: "projection-migrate-\(partitions.projection)-hold")
            let js = try connection.jetStream(options: .init(requestTimeout: min(partitions.ttl / 5, .seconds(2))))
            bucket = try await js.keyValueBucket(name: partitions.bucket, ttl: partitions.ttl)
        } catch {
            throw RebuildError(code: .ingestUnavailable, detail: "the lease bucket \(partitions.bucket) is not reachable: \(error)")
        }
        var epochs: [Int: UInt64] = [:]
        do {
            _ = try await bucket.put(holdKey, value: Array(#"{"hold":"projection-migrate"}"#.utf8))
            note("holding \(partitions.projection): its replicas hand back \(partitions.count) partitions")
            // The hold must outlive the wait and the swap: renewed until each is done. (Two groups: a
            // task added to a group after `cancelAll()` would start cancelled.)
            epochs = try await withThrowingTaskGroup(of: [Int: UInt64]?.self) { group in
                group.addTask { try await renew(bucket, leases: nil); return nil }
                group.addTask { try await takeLeases(bucket) }
                while let next = try await group.next() {
                    if let taken = next { group.cancelAll(); return taken }
                }
                throw CancellationError()
            }
            let taken = epochs
            let result = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await renew(bucket, leases: taken); return nil }
                group.addTask { try await body(taken) }
                while let next = try await group.next() {
                    if let value = next { group.cancelAll(); return value }
                }
                throw CancellationError()
            }
            await release(bucket, epochs: epochs)
            await connection.close()
            return result
        } catch {
            await release(bucket, epochs: epochs)
            await connection.close()
            throw error
        }
    }

    /// Waits for every lease key to go, then creates them all; partition → revision.
    private func takeLeases(_ bucket: KeyValueBucket) async throws -> [Int: UInt64] {
        let clock = ContinuousClock()
        let deadline = clock.now + releaseTimeout
        var taken: [Int: UInt64] = [:]
        var lastNote = clock.now
        while taken.count < partitions.count {
            guard clock.now < deadline else {
                for (partition, _) in taken { try? await bucket.delete(leaseKey(partition)) }
                throw RebuildError(code: .ingestUnavailable, detail: "the replicas did not hand every partition back within \(releaseTimeout) (\(taken.count) of \(partitions.count) taken); nothing was swapped")
            }
            for partition in 0..<partitions.count where taken[partition] == nil {
                if let revision = try await bucket.create(leaseKey(partition), value: Array(#"{"replica":"projection-migrate","partition":\#(partition)}"#.utf8)) {
                    taken[partition] = revision
                }
            }
            if taken.count < partitions.count {
                if clock.now - lastNote >= .seconds(5) {
                    note("waiting for the replicas to hand back partitions (\(taken.count) of \(partitions.count) free)")
                    lastNote = clock.now
                }
                try await clock.sleep(for: .milliseconds(100))
            }
        }
        note("all \(partitions.count) partitions held by the cutover (lease epochs \(taken.sorted { $0.key < $1.key }.map(\.value)))")
        return taken
    }

    /// Renews the hold (and the leases, once taken) every third of the TTL until cancelled.
    private func renew(_ bucket: KeyValueBucket, leases: [Int: UInt64]?) async throws {
        var revisions = leases ?? [:]
        let clock = ContinuousClock()
        while true {
            try await clock.sleep(for: partitions.ttl / 3)
            _ = try await bucket.put(holdKey, value: Array(#"{"hold":"projection-migrate"}"#.utf8))
            for (partition, revision) in revisions {
                guard let next = try await bucket.update(leaseKey(partition), value: Array(#"{"replica":"projection-migrate","partition":\#(partition)}"#.utf8), last: revision) else {
                    throw RebuildError(code: .ingestUnavailable, detail: "the cutover lost its lease on partition \(partition)")
                }
                revisions[partition] = next
            }
        }
    }

    /// Leases first, then the hold, so no replica sees the partitions free while still held.
    private func release(_ bucket: KeyValueBucket, epochs: [Int: UInt64]) async {
        for partition in epochs.keys.sorted() { try? await bucket.delete(leaseKey(partition)) }
        try? await bucket.delete(holdKey)
        note("released \(partitions.projection): its replicas take the partitions again")
    }
}
