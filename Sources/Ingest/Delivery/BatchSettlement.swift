/// How a durable batch is settled with the server on an ack-all consumer: one ack, to the highest
/// sequence that is not poison, and a term for each poison fact.
///
/// Under ack-all the ack settles every delivery at or below it, and so does each term. The ack must not
/// go to a poison fact's message: libnats sends nothing for a term on a message it already acked, and the
/// poison fact's termination advisory would be lost. A batch whose top is poison is settled by its term.
struct BatchSettlement: Equatable {
    /// The one message to ack, if any fact of the batch is not poison.
    var ack: UInt64?
    /// Poison facts, in stream order: terminated after the ack.
    var terminate: [UInt64]
}

extension BatchSettlement {
    /// - Parameter sequences: the batch's held sequences, each marked poison or not.
    init(_ sequences: [(sequence: UInt64, poison: Bool)]) {
        var ack: UInt64?
        var terminate: [UInt64] = []
        for (sequence, poison) in sequences {
            if poison {
                terminate.append(sequence)
            } else {
                ack = max(ack ?? sequence, sequence)
            }
        }
        self.init(ack: ack, terminate: terminate.sorted())
    }
}
