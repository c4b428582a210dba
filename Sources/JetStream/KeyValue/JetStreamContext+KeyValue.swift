import CNATS

extension JetStreamContext {
    /// Binds to the key-value bucket `name`, creating it if missing with `ttl` (a key not written for
    /// that long disappears), a history of one value per key and `replicas` copies (in a JetStream
    /// cluster; 1 on a single server). An existing bucket keeps its settings.
    public func keyValueBucket(
        name: String, ttl: Duration, storage: StorageType = .file, replicas: Int = 1
    ) async throws -> KeyValueBucket {
        let js = handle
        let kv: CPointer = try await api.run {
            var kv: OpaquePointer?
            if js_KeyValue(&kv, js.raw, name) == NATS_OK, let kv { return CPointer(kv) }
            var config = kvConfig()
            try natsCheck(kvConfig_Init(&config), "kvConfig_Init")
            config.History = 1
            config.TTL = ttl.natsNanoseconds // nanoseconds, despite the header's silence (MaxAge)
            config.StorageType = storage == .file ? js_FileStorage : js_MemoryStorage
            config.Replicas = Int32(clamping: replicas)
            let status = name.withCString { bucket -> natsStatus in
                config.Bucket = bucket
                return js_CreateKeyValue(&kv, js.raw, &config)
            }
            if status != NATS_OK {
                let createError = NATSError(status: status, operation: "js_CreateKeyValue")
                // Another process may have created it between the lookup and the create.
                guard js_KeyValue(&kv, js.raw, name) == NATS_OK else { throw createError }
            }
            guard let kv else { throw NATSError(code: .other, operation: "js_CreateKeyValue") }
            return CPointer(kv)
        }
        return KeyValueBucket(context: self, name: name, handle: kv.raw)
    }

    /// Deletes the bucket and all its keys; throws `.notFound` if it does not exist.
    public func deleteKeyValueBucket(name: String) async throws {
        let js = handle
        try await api.run {
            try natsCheck(js_DeleteKeyValue(js.raw, name), "js_DeleteKeyValue")
        }
    }
}
