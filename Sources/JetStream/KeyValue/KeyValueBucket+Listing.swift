import CNATS

/// How `keys()` reads a bucket: plain JetStream API requests, no subscription.
extension KeyValueBucket {
    /// `$KV.<bucket>.`: the bucket's keys are the subjects under it.
    static func subjectPrefix(bucket: String) -> String {
        "$KV.\(bucket)."
    }

    /// The subject filter that lists the keys starting with `keyPrefix`: the prefix itself when it ends at
    /// a token boundary (`.`), else the whole bucket.
    static func subjectFilter(bucket: String, keyPrefix: String) -> String {
        subjectPrefix(bucket: bucket) + (keyPrefix.hasSuffix(".") ? keyPrefix : "") + ">"
    }

    /// The key a bucket subject stands for; nil for a subject outside the bucket.
    static func key(subject: String, bucket: String) -> String? {
        let prefix = subjectPrefix(bucket: bucket)
        guard subject.hasPrefix(prefix), subject.count > prefix.count else { return nil }
        return String(subject.dropFirst(prefix.count))
    }

    /// Whether a key's newest message holds a value, from its `KV-Operation` header: absent on a put,
    /// `DEL` or `PURGE` on the markers a delete or purge writes.
    static func holdsValue(operation: String?) -> Bool {
        guard let operation else { return true }
        return operation != "DEL" && operation != "PURGE"
    }

    /// The stream's subjects matching `filter` that still have a message (libnats pages the server's
    /// answer). Blocking.
    static func subjects(_ js: CPointer, stream: String, filter: String) throws -> [String] {
        var options = jsOptions()
        try natsCheck(jsOptions_Init(&options), "jsOptions_Init")
        return try filter.withCString { cFilter in
            options.Stream.Info.SubjectsFilter = cFilter
            var jsErr = jsErrCode(rawValue: 0)
            var info: UnsafeMutablePointer<jsStreamInfo>?
            try natsCheck(js_GetStreamInfo(&info, js.raw, stream, &options, &jsErr), "js_GetStreamInfo", jsErr)
            defer { jsStreamInfo_Destroy(info) }
            guard let list = info?.pointee.State.Subjects?.pointee, let entries = list.List else { return [] }
            return (0..<Int(list.Count)).compactMap { index in
                entries[index].Subject.map { String(cString: $0) }
            }
        }
    }

    /// Whether `subject`'s newest message in `stream` holds a value; false when it has none left
    /// (expired or purged since the subjects were read). Blocking.
    static func holdsValue(_ js: CPointer, stream: String, subject: String) throws -> Bool {
        var jsErr = jsErrCode(rawValue: 0)
        var message: OpaquePointer?
        let status = js_GetLastMsg(&message, js.raw, stream, subject, nil, &jsErr)
        if status == NATS_NOT_FOUND { return false }
        try natsCheck(status, "js_GetLastMsg", jsErr)
        defer { natsMsg_Destroy(message) }
        var value: UnsafePointer<CChar>?
        let operation = natsMsgHeader_Get(message, "KV-Operation", &value) == NATS_OK ? value.map { String(cString: $0) } : nil
        return holdsValue(operation: operation)
    }
}
