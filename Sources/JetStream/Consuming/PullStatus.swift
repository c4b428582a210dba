import CNATS

/// A status message the server sends to a pull's reply subject instead of a delivery: 404 (no messages
/// for a no-wait pull), 408 (the pull expired), 409 (ended early: max bytes, consumer deleted, leadership
/// change, ...), 100 (idle heartbeat), 503 (no responders).
struct PullStatus: Equatable, Sendable {
    /// The status code, e.g. "404".
    var code: String
    /// The server's description, e.g. "Message Size Exceeds MaxBytes".
    var description: String

    /// The status of `msg`, or nil for a delivery. Deliveries carry an ack reply subject; statuses have
    /// none, no payload and a `Status` header (libnats parses the status line into it).
    init?(_ msg: OpaquePointer) {
        guard natsMsg_GetDataLength(msg) == 0 else { return nil }
        if let reply = natsMsg_GetReply(msg), reply.pointee != 0 { return nil }
        var value: UnsafePointer<CChar>?
        guard natsMsgHeader_Get(msg, "Status", &value) == NATS_OK, let value else { return nil }
        var text: UnsafePointer<CChar>?
        let description = natsMsgHeader_Get(msg, "Description", &text) == NATS_OK ? text.map { String(cString: $0) } : nil
        self.init(code: String(cString: value), description: description ?? "")
    }

    init(code: String, description: String) {
        self.code = code
        self.description = description
    }

    /// What this status means for the pull it answers.
    var outcome: Outcome {
        switch code {
        case "100": .ignore
        case "404", "408": .ended
        // No message is ever bigger than a pull (`effectiveMaxBytes`): the bytes asked for are used up.
        case "409" where description.contains("MaxBytes"): .ended
        default: .failed
        }
    }

    enum Outcome: Equatable, Sendable {
        /// Not an answer (a heartbeat): keep reading.
        case ignore
        /// The pull is over; what arrived is its answer.
        case ended
        /// The pull failed (e.g. consumer deleted); an error unless something arrived.
        case failed
    }
}
