import Columnstore
import Foundation
import JetStream
import Logging
import ServiceLifecycle
import Synchronization

/// Consumes facts from a message source (the durable pull consumer) and drives the `BatchStateMachine`
/// against a store. The state machine decides; this actor only performs its actions (fetch, store
/// steps, acks), in one place: `perform`. Fetches and store steps run as child tasks of the loop's task
/// group, so the loop never ends while one of them runs.
public actor IngestPipeline<Store: ProjectionStore, Source: MessageSource>: Service {
    let configuration: IngestConfiguration
    let store: Store
    let source: Source
    private let mapper: FactMapper
    private let decoder: FactDecoder
    let status: IngestStatus
    private let metrics: IngestMetrics
    var logger: Logger
    private let clock = ContinuousClock()

    private var machine: BatchStateMachine<Store.Guarantee>
    typealias Held = HeldMessage<Source.Message>
    private var held: [UInt64: Held] = [:]
    /// The messages of the fetch being received, newest delivery per sequence, until `perform` has
    /// taken what the state machine held, superseded or acked of them.
    private var arrived: [UInt64: Held] = [:]
    /// Facts consumed in the fetch being received, by fact type then tenant: counted once per fetch, since
    /// looking up a labelled counter per fact cost 3% of ingest CPU.
    private var consumedTally: [String: [String: Int]] = [:]
    /// Set by the admin API: no fetching while true.
    var paused = false
    /// Admin calls waiting for the loop: for it to be idle (pause, reload), and for a reload to be
    /// carried out. The loop answers them between events; none is polled.
    private var idleWaiters: [(deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Bool, Never>)] = []
    private var reloadWaiter: CheckedContinuation<Bool, Never>?
    private var looping = false
    /// Bound to a consumer (nothing is fetched before).
    private var consuming = false
    private var lastStreamInfo: ContinuousClock.Instant?
    private var lastRecoveryTailCheck: ContinuousClock.Instant?
    /// Raised by SIGTERM's handler (on another task) or `drain()`; the loop notices it between events.
    /// When the drain was asked for (nil: not yet); `PROJECTION_DRAIN_TIMEOUT_MS` counts from it.
    private nonisolated let drainRequested = Mutex<ContinuousClock.Instant?>(nil)
    private var drainLogged = false
    private var shuttingDown: Bool { drainRequested.withLock { $0 != nil } }
    /// Set when a drain timed out on a failing batch, or the lease was lost: stop without the batch in
    /// flight (nothing of it was acked).
    private var abandoned = false
    /// The partition lease this pipeline writes under (replica mode), else nil.
    let lease: PartitionLease?
    /// Why the loop ended, when not by a drain or cancellation.
    public private(set) var endReason: EndReason?
    /// The epoch that fenced the consumer when its lease's fence was refused at start (nil otherwise).
    public private(set) var fencedAtStartBy: UInt64?

    public enum EndReason: Sendable, Equatable {
        /// The store holds a newer lease epoch for the partition.
        case fenced
        /// The lease lapsed (not renewed in time) before a store step.
        case leaseLost
    }

    public init(configuration: IngestConfiguration, store: Store, source: Source, schema: ProjectionSchema, status: IngestStatus, logger: Logger, lease: PartitionLease? = nil) {
        self.configuration = configuration
        self.store = store
        self.source = source
        self.mapper = FactMapper(schema: schema)
        self.decoder = FactDecoder(maxFactBytes: configuration.maxFactBytes)
        self.status = status
        self.metrics = IngestMetrics(projection: configuration.projection,
                                     tenants: configuration.metricsTenantLabels ? .process(limit: configuration.metricsTenantLabelLimit) : nil, partition: lease?.partition,
                                     boundTypes: Set(schema.bindings.map(\.factType)))
        self.metrics.exportZeroes(steps: Store.Guarantee.steps)
        self.logger = logger
        self.logger[metadataKey: "consumer"] = "\(configuration.consumer)"
        self.machine = BatchStateMachine(policy: configuration.batching)
        self.stalledWatch = StalledConsumerWatch(after: configuration.stalledConsumerAfter)
        self.lease = lease
        if let lease { self.logger[metadataKey: "lease_epoch"] = "\(lease.epoch)" }
    }

    /// Runs the loop without a graceful-shutdown handler of its own: the `PartitionCoordinator` drains
    /// it with `drain()` or cancels it.
    public func runPartition() async throws {
        try await consume()
    }

    /// Stops fetching, writes and acks what is held, then ends the loop.
    public nonisolated func drain() {
        beginShutdown()
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.consume()
        } onGracefulShutdown: {
            self.beginShutdown()
        }
    }

    /// Called from the graceful-shutdown handler, on another task: it only raises a flag. The consume
    /// loop, the only driver of the state machine, notices it between fetches and store steps, so the
    /// machine is never stepped from two places at once.
    private nonisolated func beginShutdown() {
        let now = clock.now
        let first = drainRequested.withLock { requested in
            defer { requested = requested ?? now }
            return requested == nil
        }
        if first { status.update { $0.draining = true } }
    }

    // MARK: - Main loop

    /// What the concurrent work reports back to the loop. The loop is the only place the state machine
    /// is stepped; fetches and store steps run as tasks so the next batch is fetched and decoded while
    /// the current one is written (one batch still in flight at a time: order and the checkpoint
    /// protocol are unchanged, only I/O overlaps).
    private enum Event: Sendable {
        /// `generation` names the subscription the messages came from; a restarted consumer makes
        /// earlier fetches stale (their consumer is gone, so they are dropped unacked).
        case fetched([Source.Message], generation: Int)
        case fetchFailed(any Error, generation: Int)
        case stepFinished(BatchStep, Batch, attempt: Int, Result<BatchOutcome?, any Error>)
    }

    private var fetchRunning = false
    /// Events taken from the group out of turn (while a fetch was awaited), handled by the loop first.
    private var deferredEvents: [Event] = []
    /// Fetches failed in a row (the backoff before re-creating the consumer).
    private var fetchFailures = 0
    private var stalledWatch: StalledConsumerWatch
    private var stepRunning = false
    /// When the batch in flight started its first store step (the commit-latency metric).
    private var batchStarted: (range: SequenceRange, at: ContinuousClock.Instant)?
    private var generation = 0

    private func consume() async throws {
        await withTaskGroup(of: Event.self) { group in
            await loop(&group)
            // Leaving the scope waits for a fetch or store step still running (a drain timeout, a lost
            // lease, cancellation): nothing outlives the loop.
        }
        consuming = false
        await source.close()
        logger.info("stopped", metadata: ["checkpoint": "\(machine.checkpoint)"])
    }

    private func loop(_ group: inout TaskGroup<Event>) async {
        looping = true
        defer {
            // Nobody waits for a loop that has ended.
            looping = false
            answerIdleWaiters(ended: true)
            reloadWaiter?.resume(returning: false)
            reloadWaiter = nil
        }
        var actions = [machine.start()]
        while !machine.isStopped {
            await perform(actions, &group)
            actions = []
            if machine.isStopped || abandoned || Task.isCancelled { break }
            answerIdleWaiters(ended: false)
            if shuttingDown, !drainLogged {
                drainLogged = true
                logger.info("draining: no more fetches, finishing the batch in flight")
            }
            if let waiter = reloadWaiter, isIdle, !shuttingDown {
                // A fresh protocol from the store's checkpoint; held messages are dropped unacked (the
                // consumer is re-created, so nothing of the old one is redelivered).
                reloadWaiter = nil
                held.removeAll()
                machine = BatchStateMachine(policy: configuration.batching)
                await perform([machine.start()], &group)
                // Reloaded only if the checkpoint was loaded: a drain or a fence meanwhile ends the loop instead.
                waiter.resume(returning: !(abandoned || shuttingDown || machine.isStopped))
                continue
            }
            if shuttingDown, !stepRunning {
                // Drain: finish what is held (inside perform), fetch nothing more.
                actions = machine.shutdown()
                if !actions.isEmpty { continue }
            }
            // The next fetch overlaps the write of the batch in flight (still one batch in flight: order and
            // the checkpoint protocol are unchanged); PROJECTION_OVERLAP_FETCH=false waits instead.
            if mayFetch, machine.wantsMessages {
                startFetch(&group)
            }
            if !fetchRunning, !stepRunning {
                try? await clock.sleep(for: .milliseconds(5))
                actions = machine.tick(now: clock.now)
                // Paused or backed up: the lag (at most once a second) still follows the stream.
                await refreshLag()
                continue
            }
            let event: Event
            if deferredEvents.isEmpty {
                guard let next = await group.next() else { break }
                event = next
            } else {
                event = deferredEvents.removeFirst()
            }
            switch event {
            case .fetched(let messages, let from):
                fetchRunning = false
                guard from == generation else { continue }
                fetchFailures = 0
                let connected = source.isConnected
                status.update { $0.natsConnected = connected }
                // The next fetch is sent before these are decoded, so nats-server delivers it meanwhile (else
                // each fetch's round trip and each decode wait for each other). Only while the open batch
                // has room for these and more, so the bound on held bytes is the one it was: under a batch
                // open (these included), one batch in flight, one fetch (docs/DESIGN.md).
                // With PROJECTION_OVERLAP_FETCH=false a fetch never runs beside a store step, and receiving
                // these may cut one.
                if !messages.isEmpty, mayFetch, configuration.overlapFetch,
                   machine.wantsMessages(beforeReceiving: messages.count, bytes: messages.reduce(0) { $0 + $1.dataCount }) {
                    // If nothing is open yet, these open a batch now: the fetch fills until its linger ends.
                    startFetch(&group, openUntil: machine.openLingerEnd ?? clock.now + configuration.batching.linger)
                }
                actions = receive(messages)
                actions += machine.tick(now: clock.now)
                await refreshLag()
                if messages.isEmpty { actions += await recoveryTailCheck() }
                if actions.isEmpty, await consumerStalled(fetched: messages.count) {
                    actions = [machine.fetchFailed()]
                }
            case .fetchFailed(let error, let from):
                fetchRunning = false
                guard from == generation else { continue }
                metrics.natsError()
                recordError("fetch", error)
                let connected = source.isConnected
                status.update { $0.natsConnected = connected }
                fetchFailures += 1
                // Backs off like a store step, but at most half a second: NATS comes back by itself.
                try? await clock.sleep(for: min(.milliseconds(500), configuration.batching.backoff(attempt: fetchFailures)))
                actions = [machine.fetchFailed()]
            case .stepFinished(let step, let batch, let attempt, let result):
                stepRunning = false
                actions = stepFinished(step, batch, attempt: attempt, result)
                actions += machine.tick(now: clock.now)
            }
        }
    }

    /// Before the consumer is re-created: waits for a fetch still running and drops what it returns (its
    /// consumer is about to be deleted; the new one delivers from the restart's sequence). A fetch task
    /// may not have reached the source yet, so the source's own wait for running fetches cannot see it,
    /// and it would then pull from the re-created consumer under the old generation. A store step's
    /// result that arrives meanwhile is kept for the loop.
    private func endRunningFetch(_ group: inout TaskGroup<Event>) async {
        while fetchRunning, let event = await group.next() {
            switch event {
            case .fetched, .fetchFailed: fetchRunning = false
            case .stepFinished: deferredEvents.append(event)
            }
        }
    }

    /// Whether a fetch may start now, backpressure aside.
    private var mayFetch: Bool {
        !shuttingDown && !paused && !fetchRunning && (!stepRunning || configuration.overlapFetch) && consuming
    }

    /// Fetches have stayed empty with nothing held for `stalledWatch.after`, yet the stream holds a fact
    /// past the checkpoint for this consumer: it went quiet (see `StalledConsumerWatch`) and is re-created.
    private func consumerStalled(fetched: Int) async -> Bool {
        guard stalledWatch.fetched(fetched, idle: isIdle, now: clock.now), source.isConnected else { return false }
        let checkpoint = machine.checkpoint
        guard let waiting = try? await source.firstMessage(atOrAfter: checkpoint + 1), isIdle else { return false }
        logger.warning("the consumer delivers nothing while the stream holds facts past the checkpoint; re-creating it",
                       metadata: ["checkpoint": "\(checkpoint)", "waiting_sequence": "\(waiting.sequence)"])
        metrics.natsError()
        return true
    }

    /// Nothing fetched, held or being written.
    var isIdle: Bool {
        !stepRunning && !fetchRunning && machine.pendingBatch == nil && machine.bufferedCount == 0
    }

    /// Waits (paused) until idle, at most the drain timeout: the loop answers between its events.
    func waitUntilIdle() async -> Bool {
        guard looping, !isIdle else { return isIdle }
        let deadline = clock.now + configuration.drainTimeout
        return await withCheckedContinuation { idleWaiters.append((deadline, $0)) }
    }

    /// Asks the loop to start over from the store's checkpoint once idle; false when it stopped first.
    func requestReload() async -> Bool {
        guard looping, reloadWaiter == nil else { return false }
        return await withCheckedContinuation { reloadWaiter = $0 }
    }

    private func answerIdleWaiters(ended: Bool) {
        guard !idleWaiters.isEmpty else { return }
        let idle = isIdle, now = clock.now
        idleWaiters.removeAll { waiter in
            guard idle || ended || now >= waiter.deadline else { return false }
            waiter.continuation.resume(returning: idle)
            return true
        }
    }

    private func startFetch(_ group: inout TaskGroup<Event>, openUntil: ContinuousClock.Instant? = nil) {
        let plan = FetchPlan.next(openUntil: openUntil ?? machine.openLingerEnd, now: clock.now, linger: configuration.batching.linger)
        let batch = configuration.fetchBatch
        let maxBytes = configuration.fetchMaxBytes
        let from = generation
        let source = source
        fetchRunning = true
        group.addTask {
            do {
                return .fetched(try await source.fetch(batch: batch, maxBytes: maxBytes, timeout: plan.timeout, fill: plan.fill), generation: from)
            } catch {
                return .fetchFailed(error, generation: from)
            }
        }
    }

    /// Decodes and maps each message once, on receipt; hands the sequences to the state machine. What
    /// becomes of each message (held, superseded, acked as applied, ignored) is the machine's answer,
    /// carried out by `perform`.
    private func receive(_ messages: [Source.Message]) -> [BatchStateMachine<Store.Guarantee>.Action] {
        var deliveries: [(sequence: UInt64, delivery: UInt64?, bytes: Int)] = []
        deliveries.reserveCapacity(messages.count)
        arrived.removeAll(keepingCapacity: true)
        for message in messages {
            let sequence = message.streamSequence
            deliveries.append((sequence, message.consumerSequence, message.dataCount))
            if message.deliveryCount > 1 { metrics.redelivered(1) }
            arrived[sequence] = HeldMessage(message: message, content: classify(message, sequence: sequence))
        }
        for (type, tenants) in consumedTally {
            // Labelled here, once per type and fetch (unbound types count as "other").
            let label = metrics.typeLabel(type)
            for (tenant, count) in tenants { metrics.consumed(label, tenant: tenant, count: count) }
        }
        consumedTally.removeAll(keepingCapacity: true)
        let lateBefore = machine.lateDeliveries
        let actions = machine.received(deliveries, now: clock.now)
        if machine.lateDeliveries > lateBefore {
            logger.warning("deliveries arrived out of stream order and were put back in order", metadata: ["count": "\(machine.lateDeliveries - lateBefore)"])
        }
        return actions
    }

    private func classify(_ message: Source.Message, sequence: UInt64) -> Held.Content {
        // Decoded in place; the body is copied only for a quarantine record.
        let decoded: Result<FactEnvelope, FactRejection> = message.withUnsafeData { bytes in
            do throws(FactRejection) {
                return .success(try decoder.decode(bytes: bytes) { message.header($0) })
            } catch {
                return .failure(error)
            }
        }
        do throws(FactRejection) {
            var fact = try decoded.get()
            if let token = configuration.tenantSubjectToken {
                fact.tenant = try TenantBinding(token: token).tenant(fact.tenant, subject: message.subject)
            }
            if let filter = configuration.tenantFilter, !fact.tenant.hasSameBytes(as: filter) {
                // A tenant-scoped rebuild: other tenants' facts are not this consumer's.
                metrics.skipped("other_tenant", 1)
                return .unconsumed
            }
            consumedTally[fact.type, default: [:]][metrics.tenantLabels ? fact.tenant : "", default: 0] += 1
            if logger.logLevel <= .debug {
                var meta: Logger.Metadata = ["sequence": "\(sequence)", "type": "\(fact.type)", "tenant": "\(fact.tenant)", "fact_id": "\(fact.id)"]
                if let traceID = fact.traceID { meta["trace_id"] = "\(traceID)" }
                if let correlationID = fact.correlationID { meta["correlation_id"] = "\(correlationID)" }
                logger.debug("fact received", metadata: meta)
            }
            do throws(FactRejection) {
                guard let mapped = try mapper.map(fact, sequence: sequence, subject: message.subject) else {
                    metrics.skipped("unconsumed_type", 1)
                    return .unconsumed
                }
                return .fact(mapped)
            } catch {
                return quarantine(message, sequence: sequence, body: message.data, rejection: error, id: fact.id, type: fact.type, tenant: fact.tenant, traceID: fact.traceID, correlationID: fact.correlationID)
            }
        } catch {
            // A tenant-scoped rebuild cannot tell whose an unreadable fact is: it stays the live consumer's.
            if configuration.tenantFilter != nil { return .unconsumed }
            return quarantine(message, sequence: sequence, body: message.data, rejection: error, id: "", type: "", tenant: "", traceID: nil, correlationID: nil)
        }
    }

    private func quarantine(_ message: Source.Message, sequence: UInt64, body: [UInt8], rejection: FactRejection, id: String, type: String, tenant: String, traceID: String?, correlationID: String?) -> Held.Content {
        metrics.quarantined(metrics.typeLabel(type))
        var meta: Logger.Metadata = ["sequence": "\(sequence)", "reason": "\(rejection)", "tenant": "\(tenant)", "fact_id": "\(id)"]
        if let traceID { meta["trace_id"] = "\(traceID)" }
        if let correlationID { meta["correlation_id"] = "\(correlationID)" }
        logger.warning("quarantining a poison fact", metadata: meta)
        let headers = message.headers.mapValues { $0.last ?? "" }
        let headersJSON = JSONCoding.text(of: headers)
        return .quarantined(QuarantinedFact(sequence: sequence, subject: message.subject, factID: id, factType: type, tenant: tenant, reason: rejection.description, raw: body, headersJSON: headersJSON))
    }

    // MARK: - Actions

    /// The one place actions are carried out.
    private func perform(_ actions: [BatchStateMachine<Store.Guarantee>.Action], _ group: inout TaskGroup<Event>) async {
        var queue = actions[...]
        while let action = queue.popFirst() {
            // A cancelled task (not a graceful shutdown) stops at once; nothing unwritten was acked.
            if Task.isCancelled { return }
            switch action {
            case .loadCheckpoint:
                guard let checkpoint = await loadCheckpoint() else {
                    abandoned = true
                    return
                }
                queue.append(machine.checkpointLoaded(checkpoint))
            case .startConsuming(let from):
                await endRunningFetch(&group)
                await startConsuming(from: from)
                machine.consumerStarted()
            case .verifyGaps(let gaps, let batch):
                guard let found = await verify(gaps, of: batch) else {
                    // Shutting down while NATS is unreachable: abandon; nothing of it was acked.
                    abandoned = true
                    return
                }
                if case .some(let sequence) = found {
                    metrics.holeFound()
                    logger.warning("a batch skipped a message the stream holds (its delivery was lost); consuming again from it",
                                   metadata: ["batch": "\(batch.range)", "sequence": "\(sequence)"])
                }
                queue.append(contentsOf: machine.gapsVerified(firstFound: found, now: clock.now))
            case .runStep(let step, let batch):
                startStep(step, batch, attempt: 1, after: nil, &group)
            case .isolateRejection(let step, let batch):
                queue.append(machine.rejectionIsolated(await isolateRejection(step, batch)))
            case .retryStep(let step, let batch, let delay):
                // The stream keeps growing while a batch is retried: the lag must say so.
                await refreshLag()
                if shuttingDown, !(await waitForDrain(delay)) {
                    // Drain timeout: abandon the batch. Nothing unwritten was acked; it is redelivered.
                    logger.warning("abandoning batch \(batch.range) at shutdown; it will be redelivered")
                    abandoned = true
                    return
                }
                startStep(step, batch, attempt: 2, after: delay, &group)
            case .ack(let sequences):
                // The consumer acks all (see startConsuming): one ack settles the whole durable batch
                // (one ack per batch cut nats-server's CPU by a quarter in a drain); see BatchSettlement.
                // A list, not a dictionary by sequence: hashing each fact once more per batch showed in
                // the drain's profile, and only the ack's message and poison facts' are looked up.
                var taken: [(sequence: UInt64, held: Held)] = []
                taken.reserveCapacity(sequences.count)
                for s in sequences {
                    if let h = held.removeValue(forKey: s) { taken.append((s, h)) }
                }
                let settlement = BatchSettlement(taken.map { t in
                    if case .quarantined = t.held.content { (t.sequence, true) } else { (t.sequence, false) }
                })
                let acked = settlement.ack.flatMap { top in taken.last { $0.sequence == top }?.held.message }
                var terminated: [Source.Message] = []
                if !settlement.terminate.isEmpty {
                    let bySequence = Dictionary(taken.map { ($0.sequence, $0.held.message) }, uniquingKeysWith: { _, newest in newest })
                    terminated = settlement.terminate.compactMap { bySequence[$0] }
                }
                // On the subscription's queue, after any fetch running there. An ack that fails (NATS
                // down) is harmless: the redelivery is at or below the checkpoint.
                source.settle(acked: acked.map { [$0] } ?? [], terminated: terminated)
            case .hold(let seqs):
                for s in seqs { held[s] = arrived[s] }
            case .ackAlreadyApplied(let seqs):
                // All at or below the checkpoint: with ack-all, acking the highest settles them all.
                if let top = seqs.max(), let message = arrived[top]?.message {
                    source.settle(acked: [message], terminated: [])
                }
                metrics.skipped("already_applied", seqs.count)
            case .supersedeDelivery(let seqs):
                // Keep the newest delivery's handle: its ack is the one the server is waiting for. A
                // sequence superseded within its own fetch (its first delivery sat in the client's queue
                // past an expired pull, its redelivery came in the same list) was held with the newest
                // handle on receipt. (Losing those lost facts after store outages: 13, 13, 1, 5, 38 orders.)
                var sameFetch = 0
                for s in seqs {
                    guard let newer = arrived[s] else { continue }
                    if held[s] === newer { sameFetch += 1 } else { held[s]?.message = newer.message }
                }
                if sameFetch > 0 {
                    logger.info("redeliveries arrived in the same fetch as their first delivery; kept once", metadata: ["count": "\(sameFetch)"])
                }
            case .stop:
                status.update { $0.pendingBatch = nil }
                return
            }
        }
    }

    /// Asks the stream whether it holds a message of this consumer inside any gap of the batch.
    /// Returns `.some(nil)` when all gaps are empty, `.some(seq)` for the first message found, and nil
    /// only when shutting down before NATS answered.
    private func verify(_ gaps: [SequenceRange], of batch: Batch) async -> UInt64?? {
        var attempt = 1
        while true {
            do {
                var known: UInt64 = 0 // the stream holds nothing for us below this (past what was checked)
                for gap in gaps where gap.last >= known {
                    guard let next = try await source.firstMessage(atOrAfter: max(gap.first, known))?.sequence else {
                        return .some(nil)
                    }
                    if next <= gap.last { return .some(next) }
                    known = next
                }
                return .some(nil)
            } catch {
                metrics.natsError()
                recordError("verify_gaps", error)
                if shuttingDown { return nil }
                try? await clock.sleep(for: configuration.batching.backoff(attempt: attempt))
                attempt += 1
            }
        }
    }

    /// Whether a retry after `delay` still falls within the drain timeout, counted from the drain's request
    /// (not from the first failure after it: a hung store would otherwise get a whole timeout more).
    private func waitForDrain(_ delay: Duration) async -> Bool {
        let deadline = (drainRequested.withLock { $0 } ?? clock.now) + configuration.drainTimeout
        return clock.now + delay < deadline
    }

    /// Runs one store step as a child task; its result comes back to the loop as `.stepFinished`.
    private func startStep(_ step: BatchStep, _ batch: Batch, attempt: Int, after delay: Duration?, _ group: inout TaskGroup<Event>) {
        if let lease, !lease.isValid(at: clock.now) {
            // Past the lease's safety margin a new owner may take over at any moment: write nothing more.
            logger.warning("the partition lease lapsed; stopping without writing", metadata: ["batch": "\(batch.range)"])
            endReason = .leaseLost
            abandoned = true
            return
        }
        if batchStarted?.range != batch.range { batchStarted = (batch.range, clock.now) }
        let payload = payload(for: batch)
        status.update {
            $0.pendingBatch = IngestStatus.PendingBatch(first: batch.range.first, last: batch.range.last, facts: batch.sequences.count, step: step.rawValue, attempt: attempt)
        }
        stepRunning = true
        let store = store
        let clock = clock
        let lease = lease
        group.addTask {
            if let delay { try? await clock.sleep(for: delay) }
            // Checked again after the backoff (up to PROJECTION_RETRY_MAX_MS): the lease may have lapsed, or
            // the task been cancelled, while it slept. Then nothing is written; the loop's next step sees why.
            if Task.isCancelled || !(lease?.isValid(at: clock.now) ?? true) {
                return .stepFinished(step, batch, attempt: attempt, .failure(CancellationError()))
            }
            let result: Result<BatchOutcome?, any Error>
            do { result = .success(try await store.run(step, payload)) } catch { result = .failure(error) }
            return .stepFinished(step, batch, attempt: attempt, result)
        }
    }

    private func stepFinished(_ step: BatchStep, _ batch: Batch, attempt: Int, _ result: Result<BatchOutcome?, any Error>) -> [BatchStateMachine<Store.Guarantee>.Action] {
        switch result {
        case .success(let outcome):
            if let outcome {
                metrics.applied(outcome.applied)
                metrics.skipped("duplicate_key", outcome.duplicates)
                status.update {
                    $0.factsApplied += UInt64(outcome.applied)
                    $0.factsDuplicate += UInt64(outcome.duplicates)
                    $0.factsQuarantined += UInt64(outcome.quarantined)
                }
            }
            status.update { $0.storeWritable = true }
            let actions = machine.stepSucceeded(now: clock.now)
            if actions.contains(where: { if case .ack = $0 { true } else { false } }) {
                // From the batch's first step to its last (ClickHouse has three), retries included.
                let started = batchStarted.flatMap { $0.range == batch.range ? $0.at : nil } ?? clock.now
                let elapsed = clock.now - started
                metrics.batch(size: batch.sequences.count, commitSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                metrics.checkpoint(machine.checkpoint)
                // The stream's end is refreshed once a second; the lag follows every commit meanwhile, so
                // a caught-up consumer does not report the lag of a second ago.
                let checkpoint = machine.checkpoint
                var lag: UInt64 = 0
                let oldest = oldestHeldAt()
                status.update {
                    $0.checkpoint = checkpoint
                    $0.checkpointMovedAt = Date()
                    $0.pendingBatch = nil
                    $0.lag = $0.streamLastSequence > checkpoint ? $0.streamLastSequence - checkpoint : 0
                    $0.oldestPendingAt = $0.lag > 0 ? oldest : nil
                    lag = $0.lag
                }
                metrics.lag(lag)
            }
            return actions
        case .failure(let error):
            if let error = error as? StoreError, error.code == .fenced {
                // A newer owner holds the partition: stop without acking; the batch is its now.
                logger.warning("fenced: another replica holds this partition now; stopping", metadata: ["error": "\(error)"])
                endReason = .fenced
                abandoned = true
                return []
            }
            metrics.storeError(step.rawValue)
            recordError(step.rawValue, error)
            if let error = error as? StoreError, error.code == .dataRejected {
                // The store answers, but not to these facts: find them rather than retry forever.
                return [machine.stepRejected()]
            }
            status.update { $0.storeWritable = false }
            return [machine.stepFailed()]
        }
    }

    /// Carries out `.isolateRejection`: probes parts of the batch (`RejectionIsolation`) and turns the
    /// facts the store refuses into quarantined ones, with the store's reason. True when any was found.
    private func isolateRejection(_ step: BatchStep, _ batch: Batch) async -> Bool {
        let full = payload(for: batch)
        let bySequence = Dictionary(full.facts.map { ($0.sequence, $0) }, uniquingKeysWith: { first, _ in first })
        var isolation = RejectionIsolation(sequences: full.facts.map(\.sequence))
        var next = isolation.start()
        var lastRefusal = ""
        // Each culprit's reason is the refusal of the shortest refused prefix, which ends with it; with
        // several culprits, the last refusal is only the last one's.
        var refusalByLastSequence: [UInt64: String] = [:]
        while true {
            switch next {
            case .probe(let sequences):
                var probe = full
                probe.facts = sequences.compactMap { bySequence[$0] }
                probe.quarantined = []
                do {
                    try await store.probe(probe)
                    next = isolation.probed(refused: false)
                } catch let error as StoreError where error.code == .dataRejected {
                    lastRefusal = error.detail
                    if let last = sequences.last { refusalByLastSequence[last] = error.detail }
                    next = isolation.probed(refused: true)
                } catch {
                    // Not a data answer (the store is unreachable, say): retry the step as a failure.
                    recordError("isolate_rejection", error)
                    return false
                }
            case .isolated(let sequences):
                logger.warning("the store refused facts of a batch; quarantining them", metadata: [
                    "batch": "\(batch.range)", "sequences": "\(sequences)", "probes": "\(isolation.probes)", "reason": "\(lastRefusal)"])
                for s in sequences {
                    guard let held = held[s] else { continue }
                    held.content = storeRejected(held, sequence: s, reason: refusalByLastSequence[s] ?? lastRefusal)
                }
                return true
            case .notIsolated:
                logger.warning("the store refused a batch, but no fact of it alone: retrying", metadata: [
                    "batch": "\(batch.range)", "probes": "\(isolation.probes)"])
                return false
            }
        }
    }

    private func storeRejected(_ held: Held, sequence: UInt64, reason: String) -> Held.Content {
        guard case .fact(let fact) = held.content else { return held.content }
        let rejection = FactRejection(code: .storeRejected, detail: reason)
        let id = (try? decoder.decode(body: held.message.data) { held.message.header($0) })?.id ?? ""
        return quarantine(held.message, sequence: sequence, body: held.message.data, rejection: rejection,
                          id: id, type: fact.factType, tenant: fact.tenant, traceID: nil, correlationID: nil)
    }

    private func payload(for batch: Batch) -> BatchPayload {
        var facts: [MappedFact] = []
        var quarantined: [QuarantinedFact] = []
        facts.reserveCapacity(batch.sequences.count)
        for s in batch.sequences {
            switch held[s]?.content {
            case .fact(let f): facts.append(f)
            case .quarantined(let q): quarantined.append(q)
            case .unconsumed: break
            case nil:
                // Every sequence of a batch must be held; skipping one would lose its fact silently.
                preconditionFailure("batch \(batch.range) holds sequence \(s) without its message")
            }
        }
        return BatchPayload(consumer: configuration.consumer, range: batch.range, facts: facts, quarantined: quarantined, leaseEpoch: lease?.epoch)
    }

    // MARK: - Store and NATS setup

    /// Loads the checkpoint, after fencing it with the lease when there is one. Nil when fenced.
    private func loadCheckpoint() async -> StoredCheckpoint? {
        var attempt = 1
        // A drain stops the retries too: SIGTERM must end a process whose store never answers.
        while !Task.isCancelled, !shuttingDown {
            do {
                if let lease {
                    guard lease.isValid(at: clock.now) else { endReason = .leaseLost; return nil }
                    try await store.fence(configuration.consumer, epoch: lease.epoch)
                }
                var checkpoint = try await store.loadCheckpoint(configuration.consumer)
                if configuration.startAt != .first {
                    checkpoint = try await resolveStartPosition(checkpoint)
                }
                try await store.checkWritable()
                status.update { $0.checkpoint = checkpoint.committed; $0.checkpointMovedAt = Date(); $0.storeWritable = true }
                logger.info("checkpoint loaded", metadata: ["committed": "\(checkpoint.committed)", "pending": "\(checkpoint.pending.map { "\($0)" } ?? "none")"])
                return checkpoint
            } catch let error as StoreError where error.code == .fenced {
                logger.warning("fenced before starting: another replica holds this partition", metadata: ["error": "\(error)"])
                // What fenced it, for the coordinator: an epoch above every revision the lease bucket has
                // means the bucket was re-created (its revisions start again at 1).
                fencedAtStartBy = try? await store.leaseEpoch(configuration.consumer)
                endReason = .fenced
                return nil
            } catch {
                recordError("load_checkpoint", error)
                status.update { $0.storeWritable = false }
                await sleepUnlessDraining(configuration.batching.backoff(attempt: attempt))
                attempt += 1
            }
        }
        return nil
    }

    /// A consumer with `PROJECTION_START_AT` other than `first`: carries out `StartResolution`'s steps
    /// (resolve against the stream once, record the decision, skip through it) until it says start, so a
    /// restart before the first batch finishes the recorded decision rather than deciding again.
    private func resolveStartPosition(_ loaded: StoredCheckpoint) async throws -> StoredCheckpoint {
        let consumer = configuration.consumer
        let decisionConsumer = StartResolution.decisionConsumer(of: consumer)
        var checkpoint = loaded
        // Each step moves a record forwards, so three rounds end it; a store that takes a step without
        // moving it would otherwise be asked forever.
        for _ in 0..<4 {
            let decision = try await store.loadCheckpoint(decisionConsumer)
            switch StartResolution.next(checkpoint: checkpoint, decision: decision) {
            case .start(let checkpoint):
                return checkpoint
            case .resolve:
                let bounds = try await source.streamBounds()
                let source = source
                let through = try await configuration.startAt.skipThrough(streamFirst: bounds.first, streamLast: bounds.last) { sequence in
                    try await source.firstMessage(atOrAfter: sequence)
                }
                try await commitEmpty(decisionConsumer, StartResolution.decision(through: through))
                logger.notice("first start: the start position is resolved and recorded",
                              metadata: ["start_at": "\(configuration.startAt)", "skip_through": "\(through)"])
            case .recordDecision(let range):
                try await commitEmpty(decisionConsumer, range)
            case .skip(let range):
                try await commitEmpty(consumer, range)
                logger.notice("first start: skipped the stream up to the start position, recorded as the checkpoint",
                              metadata: ["start_at": "\(configuration.startAt)", "checkpoint": "\(range.last)"])
                checkpoint = try await store.loadCheckpoint(consumer)
            }
        }
        throw StoreError(code: .checkpointConflict, detail: "\(consumer): the start position's record did not move forwards")
    }

    /// Commits a batch without facts over `range` for `consumer`, through the store's own batch steps.
    private func commitEmpty(_ consumer: ConsumerID, _ range: SequenceRange) async throws {
        let payload = BatchPayload(consumer: consumer, range: range, facts: [], quarantined: [], leaseEpoch: lease?.epoch)
        for step in Store.Guarantee.steps { _ = try await store.run(step, payload) }
    }

    /// (Re)creates the durable consumer so delivery starts right after the stored checkpoint (or at the
    /// first sequence not held, after a lost delivery). The store's checkpoint is the truth; the
    /// consumer's own ack state is only a cache of it, and recreating it means a restart does not wait
    /// out the ack wait for redeliveries.
    private func startConsuming(from sequence: UInt64) async {
        // What a fetch on the old binding returns is stale (its consumer is deleted; those messages come
        // again from the new one).
        generation += 1
        var attempt = 1
        while !shuttingDown {
            do {
                try await source.consume(from: sequence)
                stalledWatch.rebound()
                consuming = true
                status.update { $0.natsConnected = true; $0.consumerBound = true }
                logger.info("consuming", metadata: ["stream": "\(configuration.stream)", "from_sequence": "\(sequence)"])
                return
            } catch {
                metrics.natsError()
                recordError("bind_consumer", error)
                let connected = source.isConnected
                status.update { $0.consumerBound = false; $0.natsConnected = connected }
                try? await clock.sleep(for: configuration.batching.backoff(attempt: attempt))
                attempt += 1
            }
        }
    }

    /// Sleeps for a retry's backoff, waking early when a drain begins.
    private func sleepUnlessDraining(_ delay: Duration) async {
        let deadline = clock.now + delay
        while !shuttingDown, !Task.isCancelled, clock.now < deadline {
            try? await clock.sleep(for: min(.milliseconds(100), deadline - clock.now))
        }
    }

    /// A fetch came back empty while a recovery batch waits for the end of its range: if the stream holds
    /// nothing of the range above what is held (deleted or expired since it was recorded), the batch is cut
    /// without it (`BatchStateMachine.recoveryTailAbsent`). At most once a second.
    private func recoveryTailCheck() async -> [BatchStateMachine<Store.Guarantee>.Action] {
        guard let range = machine.pendingRecovery, machine.highestAcceptedSequence < range.last, source.isConnected else { return [] }
        let now = clock.now
        if let last = lastRecoveryTailCheck, now - last < .seconds(1) { return [] }
        lastRecoveryTailCheck = now
        let held = machine.highestAcceptedSequence
        let next: UInt64?
        do {
            next = try await source.firstMessage(atOrAfter: held + 1)?.sequence
        } catch {
            return []  // Asked again after the next empty fetch.
        }
        if let next, next <= range.last { return [] }  // It exists: its delivery comes.
        logger.warning("the end of the pending batch is no longer in the stream: cutting it without it", metadata: [
            "pending_first": "\(range.first)", "pending_last": "\(range.last)", "held_through": "\(held)"])
        return machine.recoveryTailAbsent(after: held, now: clock.now)
    }

    private func refreshLag() async {
        // Never ask the stream while NATS is down: the request would block the loop for its whole timeout
        // (readiness would say connected meanwhile). The connection's state is cheap to read.
        let connected = source.isConnected
        if status.rawSnapshot.natsConnected != connected { status.update { $0.natsConnected = connected } }
        guard connected else { return }
        let now = clock.now
        if let last = lastStreamInfo, now - last < .seconds(1) { return }
        lastStreamInfo = now
        // The checkpoint first: every fact applied by then was in the stream before its bounds are read,
        // so the bounds cannot trail it unless the stream is another one (the actor may apply more while
        // the request is out).
        let checkpoint = machine.checkpoint
        guard let bounds = try? await source.streamBounds() else { return }
        let lag = bounds.last > checkpoint ? bounds.last - checkpoint : 0
        metrics.lag(lag)
        let problem = bounds.problem(checkpoint: checkpoint)
        if let problem, problem != status.rawSnapshot.streamProblem {
            logger.error("the stream is not the one the checkpoint was written against", metadata: [
                "stream": "\(configuration.stream)", "problem": "\(problem)"])
        }
        metrics.streamProblem(problem != nil)
        // The age of the oldest fact not yet applied: the lowest held message's, or (nothing held: paused,
        // or before the first fetch) the stream's first message after the checkpoint.
        var oldest = oldestHeldAt()
        if lag > 0, oldest == nil {
            oldest = try? await source.firstMessage(atOrAfter: checkpoint + 1)?.storedAt
        }
        status.update {
            $0.streamLastSequence = bounds.last; $0.lag = lag; $0.oldestPendingAt = lag > 0 ? oldest : nil
            $0.streamProblem = problem
        }
    }

    /// When the lowest held message (fetched, not yet applied) was stored in the stream.
    private func oldestHeldAt() -> Date? {
        guard let lowest = held.keys.min(), let message = held[lowest]?.message else { return nil }
        return message.storedAt
    }

    private func recordError(_ operation: String, _ error: any Error) {
        let text = "\(operation): \(error)"
        logger.error("ingest error", metadata: ["operation": "\(operation)", "error": "\(error)"])
        status.update {
            $0.lastError = text
            $0.lastErrorAt = RFC3339.format(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        }
    }
}
