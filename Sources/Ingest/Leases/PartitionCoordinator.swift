import Columnstore
import Foundation
import JetStream
import Logging
import ServiceLifecycle
import Synchronization

/// Replica mode (`PROJECTION_PARTITIONS`): shares the projection's partitions with the other replicas
/// through leases in a JetStream KV bucket, and runs one `IngestPipeline` per partition it holds. The
/// `LeaseStateMachine` decides; this actor performs its actions (KV writes, pipeline starts and stops).
///
/// Keys in the bucket: `lease.<projection>.<partition>` (value: the owner),
/// `replica.<projection>.<replica id>` (a heartbeat, for the fair share) and, during a rebuild's or
/// rollback's cutover, `hold.<projection>` (written by `projection-migrate`). All expire with the bucket's
/// TTL unless written again, which is how a dead replica's partitions (or a dead cutover's hold) become
/// free. `<projection>` is the namespace: a rebuild's own replicas (`PROJECTION_TABLE_SUFFIX`) never meet
/// the live ones' keys.
///
/// Every partition's pipeline is a child task of the task group `run()` owns, so none outlives `run()`;
/// the lease bucket's connection is closed only after the group (and with it every pipeline) ended.
public actor PartitionCoordinator<Store: ProjectionStore>: Service {
    private let configuration: IngestConfiguration
    private let schema: ProjectionSchema
    private let makeStore: @Sendable () -> Store
    private let status: ReplicaStatus
    private var logger: Logger
    private let clock = ContinuousClock()

    private var machine: LeaseStateMachine
    private var connection: NATSConnection?
    private var bucket: KeyValueBucket?
    private var lastHeartbeat: ContinuousClock.Instant?
    /// Raised by SIGTERM's handler (on another task); the loop notices it on its next tick.
    private nonisolated let shutdownRequested = Mutex(false)
    private var shuttingDown = false
    private var wasHeld = false
    /// An epoch a pipeline was fenced by at start that was above its own lease's: the bucket's revisions
    /// must pass it (`keepRevisions(above:of:)`).
    private var epochFloor: UInt64?

    private struct Running {
        var pipeline: IngestPipeline<Store, JetStreamSource>
        /// Finishing it cancels the partition's child task (a lapsed lease: stop at once).
        var stop: AsyncStream<Void>.Continuation
        var lease: PartitionLease
    }
    private var running: [Int: Running] = [:]
    /// The state machine's answers to pipelines that ended, for the loop's next turn.
    private var afterStops: [LeaseStateMachine.Action] = []

    public init(configuration: IngestConfiguration, schema: ProjectionSchema, status: ReplicaStatus, logger: Logger, makeStore: @escaping @Sendable () -> Store) {
        precondition(configuration.partitions != nil, "replica mode needs PROJECTION_PARTITIONS")
        self.configuration = configuration
        self.schema = schema
        self.makeStore = makeStore
        self.status = status
        self.logger = logger
        self.logger[metadataKey: "replica"] = "\(configuration.replicaID)"
        self.machine = LeaseStateMachine(partitions: configuration.partitions ?? 1, settings: configuration.lease)
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await self.loop(group: &group)
            }
            await self.closeBucket()
        } onGracefulShutdown: {
            self.requestShutdown()
        }
    }

    /// The graceful-shutdown handler: it only raises a flag (and shows the drain at once); the loop,
    /// the only driver of the lease state machine, hands the partitions back.
    private nonisolated func requestShutdown() {
        let first = shutdownRequested.withLock { requested in
            defer { requested = true }
            return !requested
        }
        if first { status.beginDraining() }
    }

    private func noticeShutdown() {
        guard !shuttingDown, shutdownRequested.withLock({ $0 }) else { return }
        shuttingDown = true
        logger.info("draining: handing back every partition")
    }

    private var namespace: String { configuration.projection + configuration.tableSuffix }
    private var prefix: String { "lease.\(namespace)." }
    private var replicaPrefix: String { "replica.\(namespace)." }
    private var holdKey: String { "hold.\(namespace)" }
    private func leaseKey(_ partition: Int) -> String { prefix + String(partition) }

    // MARK: - Loop

    /// Ticks the lease state machine until it finished handing back (or the task is cancelled: then the
    /// group's children, the pipelines, are cancelled with it). Returns with pipelines possibly still
    /// ending; the group waits for them.
    private func loop(group: inout DiscardingTaskGroup) async {
        logger.info("replica starting", metadata: ["partitions": "\(machine.partitions)", "lease_ttl": "\(configuration.lease.ttl)"])
        while true {
            if Task.isCancelled {
                // Fenced by the lease as well as by cancellation: nothing more is written under it.
                for (_, r) in running { r.lease.revoke() }
                break
            }
            noticeShutdown()
            let stopped = afterStops
            afterStops = []
            await perform(stopped, group: &group)
            if shuttingDown {
                await perform(machine.shutdown(), group: &group)
                if machine.isFinished && running.isEmpty && afterStops.isEmpty { break }
            }
            let view = await observe()
            await perform(machine.tick(now: clock.now, view: view), group: &group)
            try? await clock.sleep(for: configuration.lease.tickEvery)
        }
    }

    /// After every pipeline ended: the heartbeat goes, then the bucket's connection.
    private func closeBucket() async {
        if let bucket { try? await bucket.delete(replicaPrefix + configuration.replicaID) }
        bucket = nil
        await connection?.close()
        connection = nil
        logger.info("replica stopped")
    }

    /// Writes the heartbeat when due and reads which partitions are taken. Nil when the bucket does not
    /// answer: then nothing is acquired or handed back, but leases are still renewed (and lapse).
    private func observe() async -> LeaseStateMachine.View? {
        do {
            let bucket = try await connectedBucket()
            if let floor = epochFloor {
                // NATS calls only (bounded by the bucket's short request timeout), never the store: the
                // renewals of this loop must not wait for it.
                if try await keepRevisions(above: floor, of: bucket) { epochFloor = nil }
            }
            let now = clock.now
            if lastHeartbeat.map({ now - $0 >= configuration.lease.renewEvery }) ?? true {
                try await bucket.put(replicaPrefix + configuration.replicaID, value: Array(#"{"replica":"\#(configuration.replicaID)"}"#.utf8))
                lastHeartbeat = now
            }
            let keys = try await bucket.keys()
            let taken = Set(keys.compactMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil })
            let live = keys.count { $0.hasPrefix(replicaPrefix) }
            let held = keys.contains(holdKey)
            if held != wasHeld {
                logger.notice(held ? "a cutover holds the projection: handing every partition back" : "the cutover's hold is gone: taking partitions again")
                wasHeld = held
            }
            status.observed(reachable: true, liveReplicas: live)
            return LeaseStateMachine.View(taken: taken, liveReplicas: max(live, 1), held: held)
        } catch {
            logger.error("lease bucket unreachable", metadata: ["error": "\(error)"])
            status.observed(reachable: false, liveReplicas: nil)
            return nil
        }
    }

    private func connectedBucket() async throws -> KeyValueBucket {
        if let bucket, connection?.isClosed == false { return bucket }
        let connection = try await NATSConnection.connect(url: configuration.natsURL, name: "projection-ingest-\(configuration.projection)-leases")
        // Short requests: a renewal that hangs must not outlive the lease it renews.
        let timeout = min(configuration.lease.ttl / 5, .seconds(2))
        let js = try connection.jetStream(options: .init(requestTimeout: timeout))
        let bucket = try await js.keyValueBucket(
            name: configuration.leaseBucket, ttl: configuration.lease.ttl, replicas: configuration.streamReplicas)
        // An existing bucket keeps the TTL it was made with, and the server expires lease keys by it while
        // this replica renews and stops by its own: a shorter one lets another replica take a partition
        // before the owner stops, none (0) keeps a dead replica's partitions for ever. Take none then.
        let expiry = try await js.streamInfo(name: "KV_" + configuration.leaseBucket).maxAgeNanoseconds
        let ttlNanoseconds = configuration.lease.ttl.wholeNanoseconds
        guard expiry == ttlNanoseconds else {
            await connection.close()
            throw ConfigurationError(
                code: .invalid, setting: "PROJECTION_LEASE_TTL_MS",
                reason: "is \(ttlNanoseconds / 1_000_000) ms, but the lease bucket \(configuration.leaseBucket) expires keys after "
                    + (expiry == 0 ? "never" : "\(expiry / 1_000_000) ms") + ": every replica and the bucket must agree (delete the bucket while no replica runs, or set the TTL it has)")
        }
        self.connection = connection
        self.bucket = bucket
        return bucket
    }

    /// Lease epochs are the bucket's revisions (stream sequences), which start again at 1 when the bucket
    /// is deleted and re-created (as the TTL check above tells operators to do). The store's checkpoints
    /// keep the old epochs, so every new owner would be fenced until the revisions caught up, hours of
    /// renewals later. A pipeline fenced at start reports the epoch that fenced it; when the bucket's last
    /// sequence is below it, a purge up to it + 1 moves the next revision past it. The purge drops every
    /// key of the bucket: other partitions' leases (their owners' renewals fail; they stop and acquire
    /// again, fenced as always) and heartbeats (written again within a renewal). Never while a cutover's
    /// `hold.` key is there: the cutover's leases and hold must survive; the purge waits until it is gone.
    /// - Returns: true when nothing is left to do.
    private func keepRevisions(above floor: UInt64, of bucket: KeyValueBucket) async throws -> Bool {
        // The bucket's own context: its short request timeout (connectedBucket) bounds these calls too.
        let js = bucket.context
        let stream = "KV_" + configuration.leaseBucket
        let last = try await js.streamInfo(name: stream).lastSequence
        guard last < floor else { return true }
        if try await bucket.keys(prefix: "hold.").isEmpty == false {
            logger.warning("the lease bucket's revisions are below a partition's lease epoch, but a cutover holds the bucket: waiting for it to end", metadata: [
                "bucket": "\(configuration.leaseBucket)", "bucket_last_revision": "\(last)", "epoch": "\(floor)"])
            return false
        }
        logger.error("the lease bucket's revisions are below a partition's lease epoch (it was re-created): moving them past the epoch", metadata: [
            "bucket": "\(configuration.leaseBucket)", "bucket_last_revision": "\(last)", "epoch": "\(floor)"])
        try await js.purgeStream(name: stream, upTo: floor + 1)
        return true
    }

    // MARK: - Actions

    private func perform(_ actions: [LeaseStateMachine.Action], group: inout DiscardingTaskGroup) async {
        var queue = actions[...]
        while let action = queue.popFirst() {
            switch action {
            case .acquire(let partition):
                let sentAt = clock.now
                do {
                    guard let bucket = self.bucket else { throw NATSError(code: .connectionClosed, operation: "acquire lease") }
                    if let revision = try await bucket.create(leaseKey(partition), value: leaseValue(partition)) {
                        logger.info("lease acquired", metadata: ["partition": "\(partition)", "epoch": "\(revision)"])
                        queue.append(contentsOf: machine.acquired(partition: partition, revision: revision, sentAt: sentAt))
                    } else {
                        queue.append(contentsOf: machine.acquireFailed(partition: partition))
                    }
                } catch {
                    logger.warning("acquiring a lease failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
                    queue.append(contentsOf: machine.acquireFailed(partition: partition))
                }
            case .renew(let partition, let revision):
                let sentAt = clock.now
                do {
                    guard let bucket = self.bucket else { throw NATSError(code: .connectionClosed, operation: "renew lease") }
                    if let next = try await bucket.update(leaseKey(partition), value: leaseValue(partition), last: revision) {
                        queue.append(contentsOf: machine.renewed(partition: partition, revision: next, sentAt: sentAt))
                    } else {
                        logger.warning("lease lost: the key moved on", metadata: ["partition": "\(partition)"])
                        queue.append(contentsOf: machine.renewFailed(partition: partition, lost: true))
                    }
                } catch {
                    logger.warning("renewing a lease failed; retrying while it lasts", metadata: ["partition": "\(partition)", "error": "\(error)"])
                    queue.append(contentsOf: machine.renewFailed(partition: partition, lost: false))
                }
            case .startPipeline(let partition, let epoch, let validUntil):
                start(partition: partition, epoch: epoch, validUntil: validUntil, group: &group)
            case .extendLease(let partition, let validUntil):
                running[partition]?.lease.extend(to: validUntil)
            case .stopPipeline(let partition, let graceful):
                guard let r = running[partition] else { continue }
                if graceful {
                    logger.info("handing a partition back: draining it", metadata: ["partition": "\(partition)"])
                    await r.pipeline.drain()
                } else {
                    logger.warning("lease lapsed: stopping the partition at once", metadata: ["partition": "\(partition)"])
                    r.lease.revoke()
                    r.stop.finish()
                }
            case .deleteLease(let partition, let revision):
                do {
                    guard let bucket else { throw NATSError(code: .connectionClosed, operation: "release lease") }
                    let key = leaseKey(partition)
                    var released = try await bucket.delete(key, last: revision)
                    if !released, let entry = try await bucket.get(key), entry.value == leaseValue(partition) {
                        // A renewal answered after the pipeline stopped moved the key on, and it still names
                        // this replica: release it at that revision rather than let the partition wait a TTL.
                        released = try await bucket.delete(key, last: entry.revision)
                    }
                    if released {
                        logger.info("lease released", metadata: ["partition": "\(partition)"])
                    } else {
                        // It lapsed, or another replica holds it now: nothing of ours to delete.
                        logger.info("lease not released: the key is no longer this replica's", metadata: ["partition": "\(partition)"])
                    }
                } catch {
                    // It expires with the TTL instead.
                    logger.warning("releasing a lease failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
                }
            }
        }
    }

    private func start(partition: Int, epoch: UInt64, validUntil: ContinuousClock.Instant, group: inout DiscardingTaskGroup) {
        let config = configuration.forPartition(partition)
        let lease = PartitionLease(partition: partition, epoch: epoch, validUntil: validUntil)
        let pipelineStatus = IngestStatus(freshness: configuration.freshness)
        var pipelineLogger = logger
        pipelineLogger[metadataKey: "partition"] = "\(partition)"
        let pipeline = IngestPipeline(configuration: config, store: makeStore(), schema: schema, status: pipelineStatus, logger: pipelineLogger, lease: lease)
        let (stop, stopper) = AsyncStream<Void>.makeStream()
        running[partition] = Running(pipeline: pipeline, stop: stopper, lease: lease)
        status.started(partition: partition, epoch: epoch, stream: config.stream, status: pipelineStatus)
        group.addTask {
            await Self.runUntilStopped(pipeline, stop: stop, logger: pipelineLogger)
            await self.pipelineEnded(partition: partition, pipeline: pipeline)
        }
    }

    /// Runs the pipeline until it ends by itself (drained, fenced, lease lost, failed) or `stop` finishes,
    /// which cancels it: a child task cannot be cancelled alone, so each partition gets this small group.
    private nonisolated static func runUntilStopped(_ pipeline: IngestPipeline<Store, JetStreamSource>, stop: AsyncStream<Void>, logger: Logger) async {
        await withTaskGroup(of: Void.self) { partition in
            partition.addTask {
                do { try await pipeline.runPartition() } catch { logger.error("partition pipeline failed", metadata: ["error": "\(error)"]) }
            }
            partition.addTask {
                for await _ in stop {}
            }
            await partition.next()
            partition.cancelAll()
        }
    }

    private func pipelineEnded(partition: Int, pipeline: IngestPipeline<Store, JetStreamSource>) async {
        guard let r = running[partition], r.pipeline === pipeline else { return }
        running[partition] = nil
        r.stop.finish()
        status.stopped(partition: partition)
        let reason = await pipeline.endReason
        if reason == .fenced, let by = await pipeline.fencedAtStartBy, by > r.lease.epoch {
            epochFloor = max(epochFloor ?? 0, by)
        }
        logger.info("partition stopped", metadata: ["partition": "\(partition)", "reason": "\(reason.map { "\($0)" } ?? "drained")"])
        // Performed by the loop, the only place that can start pipelines in the group.
        afterStops.append(contentsOf: machine.pipelineStopped(partition: partition, now: clock.now))
    }

    private func leaseValue(_ partition: Int) -> [UInt8] {
        Array(#"{"replica":"\#(configuration.replicaID)","partition":\#(partition)}"#.utf8)
    }
}
