/// Which partitions this replica owns, with no I/O: every input returns the actions the
/// `PartitionCoordinator` carries out (KV writes, pipeline starts and stops).
///
/// Rules:
/// - A replica aims for its fair share, ⌈partitions / live replicas⌉. It acquires free partitions (no
///   lease key in the bucket) up to the share and hands back running partitions above it, highest
///   first, after draining them.
/// - A lease is renewed every `renewEvery`. It is valid until the last successful renewal's send time
///   plus TTL minus the safety margin; when that passes without a renewal, the pipeline is stopped at
///   once (not drained) and the partition is forgotten: the lease may already be someone else's.
/// - A renewal answered "wrong revision" means the lease is gone: stop at once.
/// - A pipeline that ends by itself (fenced, or failed) is forgotten; its lease key is deleted only if
///   the lease is still valid, so the partition moves without waiting for the TTL.
/// - Events about partitions in another state than expected are stale and ignored.
/// - While the projection is held (`projection-migrate rebuild`/`rollback` cutting over), a replica
///   acquires nothing and drains every partition it runs, handing the leases back; balancing resumes
///   once the hold is gone, and the partitions start again from the checkpoints the cutover left.
public struct LeaseStateMachine: Sendable {
    public struct Lease: Sendable, Equatable {
        public var epoch: UInt64
        public var revision: UInt64
        public var validUntil: ContinuousClock.Instant
        public var lastRenewal: ContinuousClock.Instant
        public var renewing = false
    }

    public enum PartitionState: Sendable, Equatable {
        /// A create is in flight.
        case acquiring
        case running(Lease)
        /// Draining to hand the partition back; the lease is deleted once the pipeline stopped.
        case releasing(Lease)
        /// Stopped at once (lease lost); nothing to delete.
        case stopping
    }

    public struct View: Sendable, Equatable {
        /// Partitions with a lease key in the bucket (anyone's, ours included).
        public var taken: Set<Int>
        /// Replicas with a live heartbeat, this one included.
        public var liveReplicas: Int
        /// A cutover holds the projection: hand everything back and take nothing.
        public var held: Bool

        public init(taken: Set<Int>, liveReplicas: Int, held: Bool = false) {
            self.taken = taken
            self.liveReplicas = liveReplicas
            self.held = held
        }
    }

    public enum Action: Sendable, Equatable {
        case acquire(partition: Int)
        case renew(partition: Int, revision: UInt64)
        case startPipeline(partition: Int, epoch: UInt64, validUntil: ContinuousClock.Instant)
        case extendLease(partition: Int, validUntil: ContinuousClock.Instant)
        /// `graceful`: drain (finish and ack what is held); otherwise cancel at once, acking nothing more.
        case stopPipeline(partition: Int, graceful: Bool)
        /// Delete the lease key if it is still at `revision` (compare-and-set): after a lapse another
        /// replica may have created it anew, and deleting theirs would let a third take the partition.
        case deleteLease(partition: Int, revision: UInt64)
    }

    public let partitions: Int
    public let settings: LeaseSettings
    public private(set) var owned: [Int: PartitionState] = [:]
    public private(set) var shuttingDown = false

    public init(partitions: Int, settings: LeaseSettings) {
        precondition(partitions > 0)
        self.partitions = partitions
        self.settings = settings
    }

    /// Partitions whose pipeline runs under a valid lease (running or draining).
    public var holding: [Int] {
        owned.compactMap { partition, state in
            switch state { case .running, .releasing: partition; default: nil }
        }.sorted()
    }

    /// Shut down and nothing left to wait for.
    public var isFinished: Bool { shuttingDown && owned.isEmpty }

    public func fairShare(liveReplicas: Int) -> Int {
        let replicas = max(1, liveReplicas)
        return (partitions + replicas - 1) / replicas
    }

    // MARK: - Inputs

    public mutating func tick(now: ContinuousClock.Instant, view: View?) -> [Action] {
        var actions: [Action] = []
        // 1. Leases that lapsed: stop at once.
        for (partition, state) in owned.sorted(by: { $0.key < $1.key }) {
            switch state {
            case .running(let lease), .releasing(let lease):
                if now >= lease.validUntil {
                    owned[partition] = .stopping
                    actions.append(.stopPipeline(partition: partition, graceful: false))
                }
            case .acquiring, .stopping:
                break
            }
        }
        // 2. Renewals that are due.
        for (partition, state) in owned.sorted(by: { $0.key < $1.key }) {
            switch state {
            case .running(var lease):
                if !lease.renewing, now - lease.lastRenewal >= settings.renewEvery {
                    lease.renewing = true
                    owned[partition] = .running(lease)
                    actions.append(.renew(partition: partition, revision: lease.revision))
                }
            case .releasing(var lease):
                if !lease.renewing, now - lease.lastRenewal >= settings.renewEvery {
                    lease.renewing = true
                    owned[partition] = .releasing(lease)
                    actions.append(.renew(partition: partition, revision: lease.revision))
                }
            case .acquiring, .stopping:
                break
            }
        }
        // 3. Balance, only with a fresh view of the bucket.
        guard let view, !shuttingDown else { return actions }
        if view.held {
            for (partition, state) in owned.sorted(by: { $0.key < $1.key }) {
                if case .running(let lease) = state {
                    owned[partition] = .releasing(lease)
                    actions.append(.stopPipeline(partition: partition, graceful: true))
                }
            }
            return actions
        }
        let share = fairShare(liveReplicas: view.liveReplicas)
        let counted = owned.filter { _, state in
            switch state { case .acquiring, .running: true; case .releasing, .stopping: false }
        }
        if counted.count < share {
            let free = (0..<partitions).filter { !view.taken.contains($0) && owned[$0] == nil }
            for partition in free.prefix(share - counted.count) {
                owned[partition] = .acquiring
                actions.append(.acquire(partition: partition))
            }
        } else if counted.count > share {
            // Above the share means another live replica is below it: hand the highest partitions over.
            let running = owned.compactMap { partition, state -> Int? in
                if case .running = state { return partition } else { return nil }
            }.sorted(by: >)
            for partition in running.prefix(counted.count - share) {
                if case .running(let lease) = owned[partition] {
                    owned[partition] = .releasing(lease)
                    actions.append(.stopPipeline(partition: partition, graceful: true))
                }
            }
        }
        return actions
    }

    /// A create succeeded at `revision`; `sentAt` is when the request was sent.
    public mutating func acquired(partition: Int, revision: UInt64, sentAt: ContinuousClock.Instant) -> [Action] {
        guard owned[partition] == .acquiring else { return [] }
        if shuttingDown {
            owned[partition] = nil
            return [.deleteLease(partition: partition, revision: revision)]
        }
        let lease = Lease(epoch: revision, revision: revision, validUntil: validUntil(sentAt), lastRenewal: sentAt)
        owned[partition] = .running(lease)
        return [.startPipeline(partition: partition, epoch: revision, validUntil: lease.validUntil)]
    }

    /// The create failed: someone else holds it, or the bucket did not answer.
    public mutating func acquireFailed(partition: Int) -> [Action] {
        if owned[partition] == .acquiring { owned[partition] = nil }
        return []
    }

    public mutating func renewed(partition: Int, revision: UInt64, sentAt: ContinuousClock.Instant) -> [Action] {
        let until = validUntil(sentAt)
        switch owned[partition] {
        case .running(var lease):
            lease = Lease(epoch: lease.epoch, revision: revision, validUntil: max(lease.validUntil, until), lastRenewal: sentAt)
            owned[partition] = .running(lease)
            return [.extendLease(partition: partition, validUntil: lease.validUntil)]
        case .releasing(var lease):
            lease = Lease(epoch: lease.epoch, revision: revision, validUntil: max(lease.validUntil, until), lastRenewal: sentAt)
            owned[partition] = .releasing(lease)
            return [.extendLease(partition: partition, validUntil: lease.validUntil)]
        default:
            return []
        }
    }

    /// - Parameter lost: the bucket answered that the key moved on (expired, or taken): stop at once.
    ///   Otherwise (NATS unreachable) the renewal is tried again at the next tick while the lease lasts.
    public mutating func renewFailed(partition: Int, lost: Bool) -> [Action] {
        switch owned[partition] {
        case .running(var lease), .releasing(var lease):
            if lost {
                owned[partition] = .stopping
                return [.stopPipeline(partition: partition, graceful: false)]
            }
            lease.renewing = false
            if case .running = owned[partition] { owned[partition] = .running(lease) } else { owned[partition] = .releasing(lease) }
            return []
        default:
            return []
        }
    }

    /// The partition's pipeline ended (drained, cancelled, fenced or failed).
    public mutating func pipelineStopped(partition: Int, now: ContinuousClock.Instant) -> [Action] {
        switch owned[partition] {
        case .running(let lease), .releasing(let lease):
            owned[partition] = nil
            // Still ours: delete the key so another replica takes it now rather than after the TTL.
            // A renewal still unanswered may have moved the key past `lease.revision`: then the delete
            // finds another revision and does nothing, and the key expires with its TTL.
            return now < lease.validUntil ? [.deleteLease(partition: partition, revision: lease.revision)] : []
        case .stopping:
            owned[partition] = nil
            return []
        case .acquiring, nil:
            return []
        }
    }

    /// SIGTERM: drain every pipeline; their leases are deleted as they stop.
    public mutating func shutdown() -> [Action] {
        guard !shuttingDown else { return [] }
        shuttingDown = true
        var actions: [Action] = []
        for (partition, state) in owned.sorted(by: { $0.key < $1.key }) {
            if case .running(let lease) = state {
                owned[partition] = .releasing(lease)
                actions.append(.stopPipeline(partition: partition, graceful: true))
            }
        }
        return actions
    }

    private func validUntil(_ sentAt: ContinuousClock.Instant) -> ContinuousClock.Instant {
        sentAt + settings.ttl - settings.safetyMargin
    }
}
