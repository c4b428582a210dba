import CNATS
import Foundation

/// Routes the per-message acknowledgements of asynchronous publishes (libnats' AckHandler runs on a
/// libnats thread) to the `publishTracked` call that sent them, matched by `Nats-Msg-Id`.
///
/// A message id may be in flight twice (a producer's retry racing its first attempt); acks for one
/// id come back in publish order on one connection, so each id keeps a FIFO of waiters.
final class AsyncPublishAcks: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var waiting: [String: [(outcomes: PublishOutcomes, index: Int, bytes: Int)]] = [:]
    /// Registered messages without an ack yet (the sum of `waiting`'s lists), and their payload bytes.
    private var awaited = 0
    private var awaitedBytes = 0
    /// Calls waiting for acks, for the watchdog.
    private var calls: [ObjectIdentifier: PublishOutcomes] = [:]
    private var watchdog: DispatchSourceTimer?
    /// Failures of untracked asynchronous publishes on the same context, as the ErrHandler would count them.
    let untracked: AsyncPublishFailures

    init(untracked: AsyncPublishFailures) {
        self.untracked = untracked
    }

    /// Starts waiting for `outcomes`' acks; the watchdog ends the wait at its deadline.
    ///
    /// One coarse timer per context instead of one per call: libnats times each message out itself
    /// (its MaxWait), so this only guards against a handler that never runs, and a per-request timer
    /// (and the task racing it) cost a good part of a single event's CPU.
    func track(_ outcomes: PublishOutcomes) {
        lock.lock()
        defer { lock.unlock() }
        calls[ObjectIdentifier(outcomes)] = outcomes
        guard watchdog == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "projection.nats.publish.watchdog"))
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250), leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.finishExpired() }
        timer.resume()
        watchdog = timer
    }

    private func finishExpired() {
        let now = DispatchTime.now()
        lock.lock()
        let expired = calls.values.filter { $0.deadline <= now }
        lock.unlock()
        for outcomes in expired { outcomes.finish() }
    }

    /// Stops the watchdog (the context is going away).
    func stop() {
        lock.lock()
        let timer = watchdog
        watchdog = nil
        lock.unlock()
        timer?.cancel()
    }

    func register(_ id: String, _ outcomes: PublishOutcomes, index: Int, bytes: Int = 0) {
        lock.lock()
        waiting[id, default: []].append((outcomes, index, bytes))
        awaited += 1
        awaitedBytes += bytes
        lock.unlock()
    }

    /// Whether the messages and payload bytes awaiting acks (registered ones included) are within the limits.
    func awaitedWithin(messages: Int, bytes: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return awaited <= messages && awaitedBytes <= bytes
    }

    /// Forgets every waiter of `outcomes` (it stopped waiting).
    func unregister(_ outcomes: PublishOutcomes, ids: [String]) {
        lock.lock()
        defer { lock.unlock() }
        calls[ObjectIdentifier(outcomes)] = nil
        for id in Set(ids) {
            guard var list = waiting[id] else { continue }
            list.removeAll {
                guard $0.outcomes === outcomes else { return false }
                awaited -= 1
                awaitedBytes -= $0.bytes
                return true
            }
            waiting[id] = list.isEmpty ? nil : list
        }
    }

    private func take(_ id: String) -> (outcomes: PublishOutcomes, index: Int, bytes: Int)? {
        lock.lock()
        defer { lock.unlock() }
        guard var list = waiting[id], !list.isEmpty else { return nil }
        let first = list.removeFirst()
        waiting[id] = list.isEmpty ? nil : list
        awaited -= 1
        awaitedBytes -= first.bytes
        return first
    }

    func resolve(messageID: String?, _ result: Result<PubAck, NATSError>) {
        if let messageID, let waiter = take(messageID) {
            waiter.outcomes.record(waiter.index, result)
        } else if case .failure(let error) = result {
            untracked.record(status: NATS_ERR, jsCode: error.jetStreamErrorCode ?? 0, text: error.description)
        }
    }

    /// The C ack handler; `closure` is an unmanaged reference to an `AsyncPublishAcks`.
    static let handler: jsPubAckHandler = { _, msg, ack, failure, closure in
        defer { projection_natsMsg_DestroyNow(msg) }
        guard let closure else { return }
        let acks = Unmanaged<AsyncPublishAcks>.fromOpaque(closure).takeUnretainedValue()
        var idPointer: UnsafePointer<CChar>?
        let messageID = msg != nil && natsMsgHeader_Get(msg, "Nats-Msg-Id", &idPointer) == NATS_OK ? idPointer.map { String(cString: $0) } : nil
        if let ack {
            acks.resolve(messageID: messageID, .success(PubAck(
                stream: ack.pointee.Stream.map { String(cString: $0) } ?? "", sequence: ack.pointee.Sequence, duplicate: ack.pointee.Duplicate)))
        } else {
            let status = failure?.pointee.Err ?? NATS_ERR
            let jsCode = Int(failure?.pointee.ErrCode.rawValue ?? 0)
            let text = failure?.pointee.ErrText.map { String(cString: $0) }
            acks.resolve(messageID: messageID, .failure(NATSError(
                code: status == NATS_TIMEOUT ? .timeout : (jsCode == 0 ? .publishFailed : .jetStream), operation: "js_PublishMsgAsync",
                status: String(cString: natsStatus_GetText(status)), jetStreamErrorCode: jsCode == 0 ? nil : jsCode, detail: text)))
        }
    }
}
