import Columnstore
import JetStream

/// A fetched message held until its batch is durable, with what it was decoded into (once, on receipt).
struct HeldMessage {
    enum Content {
        case fact(MappedFact)
        /// Decoded, but no table consumes its type: acked with its batch and counted.
        case unconsumed
        /// Poison: written to quarantine with its batch, then terminated.
        case quarantined(QuarantinedFact)
    }

    var message: JetStreamMessage
    var content: Content
}
