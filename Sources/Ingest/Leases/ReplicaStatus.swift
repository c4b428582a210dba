import Columnstore
import Foundation
import Synchronization

/// A replica's `/readyz` and `/admin/ingestion`: its lease view and every partition it runs.
public final class ReplicaStatus: Sendable {
    public struct PartitionSnapshot: Sendable, Codable, Equatable {
        public var partition: Int
        public var leaseEpoch: UInt64
        public var stream: String
        public var status: IngestStatus.Snapshot

        enum CodingKeys: String, CodingKey {
            case partition, stream, status
            case leaseEpoch = "lease_epoch"
        }
    }

    public struct Snapshot: Sendable, Codable, Equatable {
        public var replica: String
        public var partitionCount: Int
        public var liveReplicas: Int
        public var leasesReachable: Bool
        public var draining: Bool
        public var partitions: [PartitionSnapshot]

        enum CodingKeys: String, CodingKey {
            case replica, draining, partitions
            case partitionCount = "partition_count"
            case liveReplicas = "live_replicas"
            case leasesReachable = "leases_reachable"
        }
    }

    private struct Running: Sendable {
        var epoch: UInt64
        var stream: String
        var status: IngestStatus
    }

    public let replica: String
    public let partitionCount: Int
    private let running = Mutex<[Int: Running]>([:])
    private let view = Mutex<(reachable: Bool, live: Int, draining: Bool)>((false, 0, false))

    public init(replica: String, partitionCount: Int) {
        self.replica = replica
        self.partitionCount = partitionCount
    }

    func started(partition: Int, epoch: UInt64, stream: String, status: IngestStatus) {
        running.withLock { $0[partition] = Running(epoch: epoch, stream: stream, status: status) }
    }

    func stopped(partition: Int) {
        _ = running.withLock { $0.removeValue(forKey: partition) }
    }

    func observed(reachable: Bool, liveReplicas: Int?) {
        view.withLock {
            $0.reachable = reachable
            if let liveReplicas { $0.live = liveReplicas }
        }
    }

    func beginDraining() {
        view.withLock { $0.draining = true }
    }

    public var snapshot: Snapshot {
        let v = view.withLock { $0 }
        let partitions = running.withLock { $0 }.sorted { $0.key < $1.key }.map {
            PartitionSnapshot(partition: $0.key, leaseEpoch: $0.value.epoch, stream: $0.value.stream, status: $0.value.status.snapshot)
        }
        return Snapshot(replica: replica, partitionCount: partitionCount, liveReplicas: v.live, leasesReachable: v.reachable, draining: v.draining, partitions: partitions)
    }
}

extension ReplicaStatus: IngestStatusReporting {
    /// Ready when the lease bucket answers and every partition it runs is ready. A replica that owns no
    /// partition (a standby) is ready: it takes partitions over when another replica's lease expires.
    var isReady: Bool {
        let s = snapshot
        return s.leasesReachable && !s.draining && s.partitions.allSatisfy(\.status.isReady)
    }

    var readinessDetail: String {
        let s = snapshot
        let waiting = s.partitions.filter { !$0.status.isReady }.map { String($0.partition) }
        var detail = "leases_reachable=\(s.leasesReachable) draining=\(s.draining) partitions_not_ready=[\(waiting.joined(separator: ","))]"
        for partition in s.partitions { if let problem = partition.status.freshnessProblem { detail += " partition \(partition.partition) \(problem)" } }
        return detail
    }

    func ingestionJSON() throws -> Data {
        try JSONCoding.encode(snapshot)
    }

    func freshnessSnapshots() -> [(partition: Int?, snapshot: IngestStatus.Snapshot)] {
        snapshot.partitions.map { ($0.partition, $0.status) }
    }
}
