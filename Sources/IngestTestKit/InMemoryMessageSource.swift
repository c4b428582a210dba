import Foundation
import Ingest
import Synchronization

/// A stream and one durable pull consumer with ack-all, in memory: the pipeline's `MessageSource`
/// without nats-server. It numbers deliveries like JetStream (the consumer sequence counts
/// redeliveries), keeps unacked deliveries pending until acked, terminated or redelivered after the
/// ack wait, and re-creating the consumer (`consume(from:)`) forgets all of that, as deleting a durable
/// does. Faults (`SourceFaults`) lose, duplicate and redeliver deliveries and fail fetches.
public final class InMemoryMessageSource: MessageSource {
    public typealias Message = InMemoryMessage

    struct Stored {
        var sequence: UInt64
        var subject: String
        var data: [UInt8]
        var headers: [String: [String]]
        var storedAt: Date
    }

    struct State {
        var log: [Stored] = []
        /// The highest sequence ever assigned: deleting messages never makes a sequence be used twice.
        var lastAssigned: UInt64 = 0
        var messageIDs: Set<String> = []
        var incarnation = 0
        var bound = false
        /// The next stream sequence never delivered by this incarnation.
        var cursor: UInt64 = 1
        var deliveries: UInt64 = 0
        var deliveryCounts: [UInt64: UInt64] = [:]
        /// Delivered, not yet settled, by sequence.
        var pending: Set<UInt64> = []
        var redeliver: [UInt64] = []
        var ackFloor: UInt64 = 0
        var terminated: Set<UInt64> = []
        var emptyFetches = 0
        var fetchesRunning = 0
        var connected = true
        var rng: SplitMix64
        var faults: SourceFaults
        var stats = Statistics()
    }

    /// What happened, for assertions.
    public struct Statistics: Sendable, Equatable {
        public var delivered = 0
        public var lost = 0
        public var duplicated = 0
        public var failedFetches = 0
        public var expiries = 0
        public var consumersCreated = 0
        /// Consumers re-created while a fetch was running: its pull could be served by the new consumer
        /// under the pipeline's old binding (JetStreamSource waits for such a fetch; the pipeline must
        /// not ask while one of its fetches is under way).
        public var consumedDuringFetch = 0
        /// Every stream sequence terminated (poison), over all incarnations.
        public var terminated: Set<UInt64> = []
    }

    private let state: Mutex<State>
    /// A fetch with nothing to deliver waits this long at most (a real one waits out its timeout).
    private let idleWait: Duration
    /// Empty fetches in a row after which unacked deliveries are redelivered: the ack wait.
    private let ackWaitFetches: Int

    public init(faults: SourceFaults = .none, idleWait: Duration = .milliseconds(1), ackWaitFetches: Int = 20) {
        state = Mutex(State(rng: SplitMix64(seed: faults.seed), faults: faults))
        self.idleWait = idleWait
        self.ackWaitFetches = ackWaitFetches
    }

    // MARK: - The test's side

    /// Appends a message to the stream; a repeated `messageID` is dropped (the duplicate window).
    @discardableResult
    public func append(subject: String, data: [UInt8], headers: [String: String] = [:], messageID: String? = nil) -> UInt64? {
        state.withLock { state in
            if let messageID, !state.messageIDs.insert(messageID).inserted { return nil }
            state.lastAssigned += 1
            let sequence = state.lastAssigned
            state.log.append(Stored(sequence: sequence, subject: subject, data: data, headers: headers.mapValues { [$0] }, storedAt: Date()))
            return sequence
        }
    }

    /// Deletes messages from the stream (as a purge, `max_age` or a message delete does); the stream's
    /// last sequence stays where it was.
    public func delete(_ sequences: Set<UInt64>) {
        state.withLock { state in state.log.removeAll { sequences.contains($0.sequence) } }
    }

    /// Changes the faults from now on (e.g. none, so a test can finish).
    public func setFaults(_ faults: SourceFaults) {
        state.withLock { $0.faults = faults }
    }

    /// While false, fetches and stream reads fail as if NATS were down.
    public func setConnected(_ connected: Bool) {
        state.withLock { $0.connected = connected }
    }

    public var lastSequence: UInt64 { state.withLock { $0.lastAssigned } }
    public var statistics: Statistics { state.withLock { $0.stats } }
    /// The consumer's ack floor: everything at or below it is settled.
    public var ackFloor: UInt64 { state.withLock { $0.ackFloor } }
    /// Delivered by this consumer and neither acked nor terminated: what a new consumer delivers again.
    public var unsettledSequences: Set<UInt64> { state.withLock { $0.pending } }
    /// Below the consumer's delivery cursor: the highest stream sequence it handed out (or lost, or started after).
    public var highestDelivered: UInt64 { state.withLock { $0.cursor - 1 } }

    // MARK: - MessageSource

    public func consume(from sequence: UInt64) async throws {
        try state.withLock { state in
            guard state.connected else { throw InMemoryFault.disconnected }
            if state.fetchesRunning > 0 { state.stats.consumedDuringFetch += 1 }
            state.incarnation += 1
            state.bound = true
            state.cursor = max(sequence, 1)
            state.deliveries = 0
            state.deliveryCounts = [:]
            state.pending = []
            state.redeliver = []
            state.terminated = []
            state.ackFloor = state.cursor - 1
            state.emptyFetches = 0
            state.stats.consumersCreated += 1
        }
    }

    /// Returns what is there at once, with or without `fill` (waiting would only slow the fake down).
    public func fetch(batch: Int, maxBytes: Int, timeout: Duration, fill: Bool) async throws -> [InMemoryMessage] {
        state.withLock { $0.fetchesRunning += 1 }
        defer { state.withLock { $0.fetchesRunning -= 1 } }
        // A real fetch takes a while to reach the server: let the pipeline run meanwhile.
        await Task.yield()
        let messages = try state.withLock { state -> [InMemoryMessage] in
            guard state.connected, state.bound else { throw InMemoryFault.disconnected }
            if state.rng.chance(state.faults.failFetch) {
                state.stats.failedFetches += 1
                throw InMemoryFault.fetchFailed
            }
            if state.stats.consumersCreated <= state.faults.silentBindings { return [] }
            var out: [InMemoryMessage] = []
            var bytes = 0
            while out.count < batch, out.isEmpty || bytes < maxBytes, let stored = Self.next(&state) {
                let message = Self.deliver(stored, &state)
                if state.rng.chance(state.faults.lose) {
                    state.stats.lost += 1
                    continue
                }
                out.append(message)
                bytes += message.dataCount
                if out.count < batch, state.rng.chance(state.faults.duplicate) {
                    state.stats.duplicated += 1
                    out.append(Self.deliver(stored, &state))
                }
            }
            state.emptyFetches = out.isEmpty ? state.emptyFetches + 1 : 0
            if state.rng.chance(state.faults.expireAckWait) || state.emptyFetches >= ackWaitFetches {
                Self.expireAckWait(&state)
            }
            return out
        }
        if messages.isEmpty { try? await Task.sleep(for: min(timeout, idleWait)) }
        return messages
    }

    public func settle(acked: [InMemoryMessage], terminated: [InMemoryMessage]) {
        state.withLock { state in
            for message in terminated where message.incarnation == state.incarnation {
                state.terminated.insert(message.streamSequence)
                state.stats.terminated.insert(message.streamSequence)
                state.pending.remove(message.streamSequence)
            }
            for message in acked where message.incarnation == state.incarnation {
                // Ack-all: settles every delivery at or below it.
                state.ackFloor = max(state.ackFloor, message.streamSequence)
                state.pending = state.pending.filter { $0 > state.ackFloor }
            }
        }
    }

    public var isConnected: Bool { state.withLock { $0.connected } }

    public func streamBounds() async throws -> StreamBounds {
        try state.withLock { state in
            guard state.connected else { throw InMemoryFault.disconnected }
            return StreamBounds(first: state.log.first?.sequence ?? (state.lastAssigned == 0 ? 0 : state.lastAssigned + 1), last: state.lastAssigned)
        }
    }

    public func firstMessage(atOrAfter sequence: UInt64) async throws -> (sequence: UInt64, storedAt: Date?)? {
        try state.withLock { state in
            guard state.connected else { throw InMemoryFault.disconnected }
            return state.log.first { $0.sequence >= sequence }.map { ($0.sequence, $0.storedAt) }
        }
    }

    public func publish(subject: String, data: [UInt8], headers: [String: String], messageID: String) async throws -> UInt64 {
        guard isConnected else { throw InMemoryFault.disconnected }
        if let sequence = append(subject: subject, data: data, headers: headers, messageID: messageID) { return sequence }
        return lastSequence
    }

    public func close() async {
        state.withLock { $0.bound = false }
    }

    // MARK: - Delivery

    /// The next message to deliver: a due redelivery first, then the next new one.
    private static func next(_ state: inout State) -> Stored? {
        while let sequence = state.redeliver.first {
            state.redeliver.removeFirst()
            guard sequence > state.ackFloor, !state.terminated.contains(sequence),
                  let stored = state.log.first(where: { $0.sequence == sequence }) else { continue }
            return stored
        }
        guard let stored = state.log.first(where: { $0.sequence >= state.cursor }) else { return nil }
        state.cursor = stored.sequence + 1
        return stored
    }

    private static func deliver(_ stored: Stored, _ state: inout State) -> InMemoryMessage {
        state.deliveries += 1
        state.deliveryCounts[stored.sequence, default: 0] += 1
        state.pending.insert(stored.sequence)
        state.stats.delivered += 1
        return InMemoryMessage(streamSequence: stored.sequence, consumerSequence: state.deliveries, deliveryCount: state.deliveryCounts[stored.sequence]!,
                               storedAt: stored.storedAt, subject: stored.subject, data: stored.data, headers: stored.headers, incarnation: state.incarnation)
    }

    private static func expireAckWait(_ state: inout State) {
        let due = state.pending.filter { $0 > state.ackFloor && !state.terminated.contains($0) && !state.redeliver.contains($0) }.sorted()
        guard !due.isEmpty else { return }
        state.stats.expiries += 1
        state.redeliver += due
        state.emptyFetches = 0
    }
}
