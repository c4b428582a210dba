extension OutboundMessage {
    /// What the NATS server counts against its `max_payload` for this message: the header block
    /// (`NATS/1.0`, each header as `Name: value`, `Nats-Msg-Id` and `Nats-Expected-Stream` included, each
    /// line ended by CRLF, then an empty line) plus the payload.
    public var wireBytes: Int {
        guard !headers.isEmpty || messageID != nil || expectedStream != nil else { return data.count }
        var block = "NATS/1.0\r\n".utf8.count + 2
        for (name, value) in headers { block += name.utf8.count + 2 + value.utf8.count + 2 }
        if let messageID { block += "Nats-Msg-Id".utf8.count + 2 + messageID.utf8.count + 2 }
        if let expectedStream { block += "Nats-Expected-Stream".utf8.count + 2 + expectedStream.utf8.count + 2 }
        return block + data.count
    }
}
