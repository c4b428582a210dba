import Columnstore

/// A fetched message held until its batch is durable, with what it was decoded into (once, on receipt).
///
/// A class: it moves between dictionaries and into batch payloads, and copying the struct (message and
/// mapped rows, each retained) was 10% of ingest CPU.
final class HeldMessage<Message: SourceMessage> {
    enum Content {
        case fact(MappedFact)
        /// Decoded, but no table consumes its type: acked with its batch and counted.
        case unconsumed
        /// Poison: written to quarantine with its batch, then terminated.
        case quarantined(QuarantinedFact)
    }

    /// The newest delivery's handle: its ack is the one the server is waiting for.
    var message: Message
    /// Changes once at most: a fact the store refused becomes quarantined (see `RejectionIsolation`).
    var content: Content

    init(message: Message, content: Content) {
        self.message = message
        self.content = content
    }
}
