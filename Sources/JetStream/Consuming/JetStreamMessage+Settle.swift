extension JetStreamMessage {
    /// Acks `acked` and terminates `terminated` on their subscription's own queue, without waiting.
    ///
    /// Why the queue: a fetch on the same subscription may be running on it (the ingest pipeline
    /// overlaps fetching with writing), and libnats' fetch, acks and message destruction on one
    /// subscription are kept on one thread rather than trusting their concurrent use. The messages are
    /// released there too, after the acks. Failed acks are ignored: an unacked message is redelivered
    /// and recognised as already applied.
    ///
    /// Messages of a retired subscription (its durable re-created since) are skipped: the new consumer
    /// delivers them again and they are settled then (see `SubscriptionHandle.isRetired`).
    public static func settle(acked: [JetStreamMessage], terminated: [JetStreamMessage]) {
        var groups: [ObjectIdentifier: (handle: SubscriptionHandle, acked: [JetStreamMessage], terminated: [JetStreamMessage])] = [:]
        for message in acked where !message.subscription.isRetired {
            groups[ObjectIdentifier(message.subscription), default: (message.subscription, [], [])].acked.append(message)
        }
        for message in terminated where !message.subscription.isRetired {
            groups[ObjectIdentifier(message.subscription), default: (message.subscription, [], [])].terminated.append(message)
        }
        for (_, group) in groups {
            let acked = group.acked, terminated = group.terminated
            group.handle.fetcher.detached {
                for message in acked { try? message.ack() }
                for message in terminated { try? message.term() }
            }
        }
    }
}
