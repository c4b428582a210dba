import CNATS

/// A JetStream key-value bucket (libnats `kvStore`): compare-and-set writes keyed by revision, and a
/// bucket-wide TTL after which a key that was not written again disappears. Blocking calls run on the
/// bucket's own serial queue.
public final class KeyValueBucket: @unchecked Sendable {
    // @unchecked: only immutable state; libnats locks the kvStore internally.

    public let name: String
    /// Keeps the connection and JetStream context alive as long as the bucket.
    public let context: JetStreamContext
    let handle: CPointer
    let executor: BlockingExecutor

    init(context: JetStreamContext, name: String, handle: OpaquePointer) {
        self.context = context
        self.name = name
        self.handle = CPointer(handle)
        self.executor = BlockingExecutor(label: "projection.nats.kv.\(name)")
    }

    deinit {
        kvStore_Destroy(handle.raw)
    }

    /// Writes `value` only if `key` has no value (never written, deleted or expired).
    /// - Returns: the new revision, or nil when the key holds a value.
    public func create(_ key: String, value: [UInt8]) async throws -> UInt64? {
        let kv = handle
        return try await executor.run {
            var revision: UInt64 = 0
            let status = value.withUnsafeBytes { kvStore_Create(&revision, kv.raw, key, $0.baseAddress, Int32($0.count)) }
            if status == NATS_OK { return revision }
            let error = NATSError(status: status, operation: "kvStore_Create")
            if Self.isWrongLastSequence(error) { return nil }
            throw error
        }
    }

    /// Writes `value` only if the key's current revision is `last` (compare-and-set).
    /// - Returns: the new revision, or nil when the key moved on (or expired) since `last`.
    public func update(_ key: String, value: [UInt8], last: UInt64) async throws -> UInt64? {
        let kv = handle
        return try await executor.run {
            var revision: UInt64 = 0
            let status = value.withUnsafeBytes { kvStore_Update(&revision, kv.raw, key, $0.baseAddress, Int32($0.count), last) }
            if status == NATS_OK { return revision }
            let error = NATSError(status: status, operation: "kvStore_Update")
            if Self.isWrongLastSequence(error) { return nil }
            throw error
        }
    }

    /// Writes `value` unconditionally; returns the new revision.
    @discardableResult
    public func put(_ key: String, value: [UInt8]) async throws -> UInt64 {
        let kv = handle
        return try await executor.run {
            var revision: UInt64 = 0
            let status = value.withUnsafeBytes { kvStore_Put(&revision, kv.raw, key, $0.baseAddress, Int32($0.count)) }
            try natsCheck(status, "kvStore_Put")
            return revision
        }
    }

    /// The key's current value, or nil when it has none (never written, deleted or expired).
    public func get(_ key: String) async throws -> KeyValueEntry? {
        let kv = handle
        return try await executor.run {
            var entry: OpaquePointer?
            let status = kvStore_Get(&entry, kv.raw, key)
            if status == NATS_NOT_FOUND { return nil }
            try natsCheck(status, "kvStore_Get")
            defer { kvEntry_Destroy(entry) }
            let length = Int(kvEntry_ValueLen(entry))
            var value = [UInt8](repeating: 0, count: length)
            if length > 0, let bytes = kvEntry_Value(entry) {
                value.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: length)) }
            }
            return KeyValueEntry(key: key, value: value, revision: kvEntry_Revision(entry))
        }
    }

    /// Deletes the key (a delete marker; `create` succeeds on it again).
    public func delete(_ key: String) async throws {
        let kv = handle
        try await executor.run {
            try natsCheck(kvStore_Delete(kv.raw, key), "kvStore_Delete")
        }
    }

    /// The keys that currently hold a value.
    ///
    /// What `kvStore_Keys` does (an ordered watcher over the bucket, headers only, until the initial values
    /// are in, within 2 s; each key once), except that:
    /// - the end of the initial values also waits for the stream's last sequence (`KeyListing`: libnats'
    ///   own marker comes early under concurrent writes);
    /// - the watcher is stopped, then freed only after a read-loop fence: `kvStore_Keys` frees it at once,
    ///   while the read loop may hold a delivery for it (another replica's renewal) — libnats 3.4.1's
    ///   use-after-free (`RetiredSubscriptions`).
    public func keys() async throws -> [String] {
        let kv = handle
        let connection = context.connection
        // Before the watcher starts: the listing is complete only past this sequence (`KeyListing`).
        let lastSequence: UInt64
        do {
            lastSequence = try await context.streamInfo(name: "KV_" + name).lastSequence
        } catch let error as NATSError where error.code == .notFound {
            return []
        }
        return try await executor.run {
            var options = kvWatchOptions()
            try natsCheck(kvWatchOptions_Init(&options), "kvWatchOptions_Init")
            // Deletes are delivered: a key's newest message decides whether it holds a value.
            options.IgnoreDeletes = false
            options.MetaOnly = true
            var raw: OpaquePointer?
            let status = kvStore_WatchAll(&raw, kv.raw, &options)
            if status == NATS_NOT_FOUND { return [] }
            try natsCheck(status, "kvStore_Keys")
            guard let raw else { throw NATSError(code: .other, operation: "kvStore_Keys") }
            let watcher = CPointer(raw)
            defer {
                kvWatcher_Stop(watcher.raw)
                connection.retired.park { kvWatcher_Destroy(watcher.raw) }
                // On the connection's queue: the fence's round trip must not hold up this bucket's renewals.
                connection.executor.detached { connection.retired.reap(connection.handle.raw) }
            }
            let deadline = nats_Now() + 2_000
            var listing = KeyListing(lastSequence: lastSequence)
            // After libnats' marker, the rest of the initial values are already on their way; if none at or past
            // the last sequence comes within this, that message is gone (expired or purged since it was read)
            // and the listing ends as libnats' would.
            var markerDeadline: Int64?
            while true {
                let remaining = min(deadline, markerDeadline ?? deadline) - nats_Now()
                if remaining <= 0 {
                    if markerDeadline != nil { break }
                    throw NATSError(code: .timeout, operation: "kvStore_Keys", detail: "the initial values did not arrive in 2 s")
                }
                var entry: OpaquePointer?
                let next = kvWatcher_Next(&entry, watcher.raw, remaining)
                if next == NATS_TIMEOUT, markerDeadline != nil { break }
                try natsCheck(next, "kvStore_Keys")
                // A nil entry is libnats' end of the initial values.
                guard let entry else {
                    if listing.endOfInitialValues() { break }
                    markerDeadline = nats_Now() + Self.afterMarkerGrace
                    continue
                }
                defer { kvEntry_Destroy(entry) }
                guard let key = kvEntry_Key(entry) else { continue }
                let operation: KeyListing.Operation = kvEntry_Operation(entry) == kvOp_Put ? .put : .delete
                if listing.add(key: String(cString: key), revision: kvEntry_Revision(entry), operation: operation) { break }
            }
            return listing.keys
        }
    }

    /// How long a listing waits past libnats' end marker for the stream's last sequence (milliseconds).
    static let afterMarkerGrace: Int64 = 250

    /// JetStream's answer to a compare-and-set whose expected revision does not match (10071).
    private static func isWrongLastSequence(_ error: NATSError) -> Bool {
        error.jetStreamErrorCode == 10071 || (error.detail ?? "").contains("wrong last sequence")
    }
}
