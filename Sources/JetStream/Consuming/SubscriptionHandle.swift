import CNATS

/// Owns one libnats pull subscription. Every message fetched through it keeps it alive, because
/// libnats acks through the message's (unretained) subscription pointer: the subscription may
/// only be destroyed after the last of its messages.
final class SubscriptionHandle: Sendable {
    let subscription: CPointer
    /// Kept alive so the jsCtx outlives every ack and fetch.
    let context: JetStreamContext
    /// Fetches block for up to their timeout, so each subscription gets its own queue.
    let fetcher: BlockingExecutor

    init(subscription: CPointer, context: JetStreamContext, durable: String) {
        self.subscription = subscription
        self.context = context
        self.fetcher = BlockingExecutor(label: "projection.nats.subscription.\(durable)")
    }

    deinit {
        // Destroy, never Unsubscribe: the durable consumer must survive. For a bound subscription
        // libnats does not delete the consumer on destroy.
        natsSubscription_Destroy(subscription.raw)
    }
}
