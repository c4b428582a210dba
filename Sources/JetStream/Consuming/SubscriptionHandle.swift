import CNATS
import Synchronization

/// Owns the core subscription a pull consumer's deliveries arrive on: a fresh inbox `<inbox>.*`, each pull
/// replying to its own `<inbox>.<n>`, so a status message can be told apart from those ending earlier,
/// abandoned pulls. Every message fetched through it keeps it alive (libnats' message points at its
/// subscription), so the subscription is destroyed only after the last of its messages.
///
/// libnats' JetStream pull subscription is not used: its fetch (3.4.1) overflows its message array when
/// deliveries of an abandoned pull are already waiting (docs/DESIGN.md, "History"), and it refuses
/// `natsSubscription_NextMsg`.
final class SubscriptionHandle: Sendable {
    let subscription: CPointer
    /// Kept alive so the connection outlives every ack and fetch.
    let context: JetStreamContext
    /// Fetches block for up to their timeout, so each subscription gets its own queue.
    let fetcher: BlockingExecutor
    /// `$JS.API.CONSUMER.MSG.NEXT.<stream>.<durable>`: where pull requests go.
    let nextSubject: String
    /// The inbox the subscription listens under (`<inbox>.*`).
    let inbox: String
    private let requests = Mutex<UInt64>(0)
    private let retiredFlag = Atomic<Bool>(false)

    /// Set once the durable behind this subscription is deleted and re-created under the same name
    /// (`PullSubscription.retire()`): an ack of one of its messages would reach the new consumer with
    /// the old one's delivery sequence, which moves the new consumer's ack floor past every delivery
    /// it will make, so its later acks are ignored until it is re-created again.
    var isRetired: Bool { retiredFlag.load(ordering: .acquiring) }

    func retire() {
        retiredFlag.store(true, ordering: .releasing)
    }

    init(subscription: CPointer, inbox: String, context: JetStreamContext, stream: String, durable: String) {
        self.subscription = subscription
        self.inbox = inbox
        self.context = context
        self.nextSubject = "$JS.API.CONSUMER.MSG.NEXT.\(stream).\(durable)"
        self.fetcher = BlockingExecutor(label: "projection.nats.subscription.\(durable)")
    }

    /// A reply subject no earlier pull of this subscription used.
    func nextReplySubject() -> String {
        let number = requests.withLock { count in
            count += 1
            return count
        }
        return "\(inbox).\(number)"
    }

    deinit {
        // A plain core subscription: destroying it only unsubscribes the inbox; the durable consumer
        // is untouched. Not destroyed at once: an abandoned pull's deliveries may be in libnats' read
        // loop right now (`RetiredSubscriptions`).
        let subscription = subscription
        let connection = context.connection
        natsSubscription_Unsubscribe(subscription.raw)
        connection.retired.park { natsSubscription_Destroy(subscription.raw) }
        connection.executor.detached { connection.retired.reap(connection.handle.raw) }
    }
}
