import CNATS

extension OutboundMessage {
    /// Builds a libnats message (payload copied); the caller must destroy it (`projection_natsMsg_DestroyNow`)
    /// unless libnats took it over.
    func makeNATSMessage() throws -> OpaquePointer {
        var msg: OpaquePointer?
        let status = data.withUnsafeBytes { bytes in
            natsMsg_Create(&msg, subject, nil, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        try natsCheck(status, "natsMsg_Create")
        guard let msg else { throw NATSError(code: .other, operation: "natsMsg_Create") }
        do {
            for (name, value) in headers {
                try natsCheck(natsMsgHeader_Set(msg, name, value), "natsMsgHeader_Set")
            }
        } catch {
            projection_natsMsg_DestroyNow(msg)
            throw error
        }
        return msg
    }

    /// Calls `body` with publish options carrying `messageID`, valid only during the call.
    func withPublishOptions<R>(maxWait: Int64 = 0, _ body: (UnsafeMutablePointer<jsPubOptions>) throws -> R) throws -> R {
        var options = jsPubOptions()
        try natsCheck(jsPubOptions_Init(&options), "jsPubOptions_Init")
        options.MaxWait = maxWait
        return try withOptionalCString(messageID) { cID in
            options.MsgId = cID
            return try withOptionalCString(expectedStream) { cStream in
                options.ExpectStream = cStream
                return try body(&options)
            }
        }
    }
}
