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

    /// Deletes the key only while its revision is `last` (a delete marker, compare-and-set), so a value
    /// written since by anyone is left alone. libnats 3.4.1 has no delete with a revision; this sends what
    /// nats.go's `Delete(key, LastRevision(last))` does: a `KV-Operation: DEL` message on the key's subject
    /// with `Nats-Expected-Last-Subject-Sequence` (buckets of the default JetStream domain).
    /// - Returns: false when the key moved on (written, deleted or expired) since `last`.
    public func delete(_ key: String, last: UInt64) async throws -> Bool {
        do {
            _ = try await context.publish(
                subject: "$KV.\(name).\(key)", data: [],
                headers: ["KV-Operation": "DEL", "Nats-Expected-Last-Subject-Sequence": String(last)])
            return true
        } catch let error as NATSError where Self.isWrongLastSequence(error) {
            return false
        }
    }

    /// The keys that currently hold a value, sorted.
    ///
    /// Read without a watcher (`KeyValueBucket+Listing.swift`): the bucket stream's subjects that still
    /// have a message (stream info with a subjects filter), then each one's newest message, both answered
    /// by the stream's leader. A put holds a value; a delete or purge marker does not; a subject whose
    /// messages expired in between has none.
    ///
    /// Not libnats' `kvStore_Keys`: its ordered watcher is an ephemeral consumer made and deleted on every
    /// call (once per lease tick per replica: meta-layer work on a cluster), its end marker comes early
    /// under concurrent writes, and in libnats 3.4.1 a reconnect re-creates an ordered consumer on a thread
    /// of its own that races the watcher's stop (the likeliest suspect in a replica crash during a rolling
    /// restart, docs/RELIABILITY.md).
    ///
    /// - Parameter prefix: only keys starting with it. One ending in `.` narrows the server's answer too
    ///   (a subject filter matches whole tokens); any other is applied to the listing.
    public func keys(prefix: String = "") async throws -> [String] {
        let js = context.handle
        let bucket = name
        return try await executor.run {
            let stream = "KV_" + bucket
            let subjects: [String]
            do {
                subjects = try Self.subjects(js, stream: stream, filter: Self.subjectFilter(bucket: bucket, keyPrefix: prefix))
            } catch let error as NATSError where error.code == .notFound {
                return []
            }
            var keys: [String] = []
            for subject in subjects.sorted() {
                guard let key = Self.key(subject: subject, bucket: bucket), key.hasPrefix(prefix) else { continue }
                if try Self.holdsValue(js, stream: stream, subject: subject) { keys.append(key) }
            }
            return keys
        }
    }

    /// JetStream's answer to a compare-and-set whose expected revision does not match (10071).
    private static func isWrongLastSequence(_ error: NATSError) -> Bool {
        error.jetStreamErrorCode == 10071 || (error.detail ?? "").contains("wrong last sequence")
    }
}
