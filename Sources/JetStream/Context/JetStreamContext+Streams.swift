import CNATS

extension JetStreamContext {
    /// Creates the stream if it does not exist. An existing stream is left as it is, except that
    /// subjects it does not yet capture are added. Subjects are never removed: other consumers of the
    /// stream (another partition, a rebuild) may depend on them. Storage and duplicate window are not
    /// changed here.
    ///
    /// - Parameter duplicateWindow: how long the server remembers `Nats-Msg-Id`s for de-duplication.
    /// - Parameter replicas: copies of a new stream in a JetStream cluster (1 on a single server);
    ///   an existing stream keeps its own, like its storage.
    @discardableResult
    public func ensureStream(
        name: String, subjects: [String], storage: StorageType = .file, duplicateWindow: Duration = .seconds(120),
        replicas: Int = 1
    ) async throws -> StreamInfo {
        let js = handle
        return try await api.run {
            if let updated = try Self.updateSubjectsIfExists(js, name: name, subjects: subjects) {
                return updated
            }
            do {
                return try Self.addStream(
                    js, name: name, subjects: subjects, storage: storage, duplicateWindow: duplicateWindow, replicas: replicas)
            } catch let error as NATSError where error.jetStreamErrorCode == 10058 {
                // Someone else created it between our lookup and create.
                guard let updated = try Self.updateSubjectsIfExists(js, name: name, subjects: subjects) else { throw error }
                return updated
            }
        }
    }

    /// The stream's state; throws `.notFound` if it does not exist.
    public func streamInfo(name: String) async throws -> StreamInfo {
        let js = handle
        return try await api.run {
            var jsErr = jsErrCode(rawValue: 0)
            var info: UnsafeMutablePointer<jsStreamInfo>?
            try natsCheck(js_GetStreamInfo(&info, js.raw, name, nil, &jsErr), "js_GetStreamInfo", jsErr)
            defer { jsStreamInfo_Destroy(info) }
            return StreamInfo(info!)
        }
    }

    /// Deletes the stream with all its messages and consumers; throws `.notFound` if it does not exist.
    public func deleteStream(name: String) async throws {
        let js = handle
        try await api.run {
            var jsErr = jsErrCode(rawValue: 0)
            try natsCheck(js_DeleteStream(js.raw, name, nil, &jsErr), "js_DeleteStream", jsErr)
        }
    }

    /// Removes all messages from the stream; sequences keep counting up from where they were.
    public func purgeStream(name: String) async throws {
        let js = handle
        try await api.run {
            var jsErr = jsErrCode(rawValue: 0)
            try natsCheck(js_PurgeStream(js.raw, name, nil, &jsErr), "js_PurgeStream", jsErr)
        }
    }

    /// Removes every message below `sequence`; on a stream whose last sequence is below it, the next
    /// message gets `sequence` (nats-server moves the stream's first sequence up).
    public func purgeStream(name: String, upTo sequence: UInt64) async throws {
        let js = handle
        try await api.run {
            var options = jsOptions()
            try natsCheck(jsOptions_Init(&options), "jsOptions_Init")
            options.Stream.Purge.Sequence = sequence
            var jsErr = jsErrCode(rawValue: 0)
            try natsCheck(js_PurgeStream(js.raw, name, &options, &jsErr), "js_PurgeStream", jsErr)
        }
    }

    // MARK: - Blocking helpers (run on `api`)

    private static func addStream(
        _ js: CPointer, name: String, subjects: [String], storage: StorageType, duplicateWindow: Duration, replicas: Int
    ) throws -> StreamInfo {
        var config = jsStreamConfig()
        try natsCheck(jsStreamConfig_Init(&config), "jsStreamConfig_Init")
        config.Storage = storage == .file ? js_FileStorage : js_MemoryStorage
        config.Duplicates = duplicateWindow.natsNanoseconds
        config.Replicas = Int64(replicas)
        return try name.withCString { cName in
            config.Name = cName
            return try withCStringArray(subjects) { cSubjects, count in
                config.Subjects = cSubjects
                config.SubjectsLen = count
                var jsErr = jsErrCode(rawValue: 0)
                var info: UnsafeMutablePointer<jsStreamInfo>?
                try natsCheck(js_AddStream(&info, js.raw, &config, nil, &jsErr), "js_AddStream", jsErr)
                defer { jsStreamInfo_Destroy(info) }
                return StreamInfo(info!)
            }
        }
    }

    /// Returns nil if the stream does not exist; otherwise its info after making its subjects match.
    /// Whether every subject `subject` (wildcards allowed) can match is also matched by `pattern`.
    static func subject(_ subject: String, isCoveredBy pattern: String) -> Bool {
        let s = subject.split(separator: ".", omittingEmptySubsequences: false)
        let p = pattern.split(separator: ".", omittingEmptySubsequences: false)
        for (index, token) in p.enumerated() {
            if token == ">" { return index < s.count }
            guard index < s.count else { return false }
            if token == "*" { if s[index] == ">" { return false } else { continue } }
            if token != s[index] { return false }
        }
        return s.count == p.count
    }

    private static func updateSubjectsIfExists(_ js: CPointer, name: String, subjects: [String]) throws -> StreamInfo? {
        var jsErr = jsErrCode(rawValue: 0)
        var info: UnsafeMutablePointer<jsStreamInfo>?
        let status = js_GetStreamInfo(&info, js.raw, name, nil, &jsErr)
        if status == NATS_NOT_FOUND || jsErr == JSStreamNotFoundErr { return nil }
        try natsCheck(status, "js_GetStreamInfo", jsErr)
        defer { jsStreamInfo_Destroy(info) }
        let existing = StreamInfo(info!)
        let missing = subjects.filter { subject in !existing.subjects.contains { Self.subject(subject, isCoveredBy: $0) } }
        guard !missing.isEmpty, let config = info!.pointee.Config else { return existing }
        let subjects = existing.subjects + missing

        // Update from the stream's own config so nothing else changes; restore libnats' subject
        // pointers afterwards because jsStreamInfo_Destroy frees them.
        let savedSubjects = config.pointee.Subjects
        let savedCount = config.pointee.SubjectsLen
        defer {
            config.pointee.Subjects = savedSubjects
            config.pointee.SubjectsLen = savedCount
        }
        return try withCStringArray(subjects) { cSubjects, count in
            config.pointee.Subjects = cSubjects
            config.pointee.SubjectsLen = count
            var updateErr = jsErrCode(rawValue: 0)
            var updated: UnsafeMutablePointer<jsStreamInfo>?
            try natsCheck(js_UpdateStream(&updated, js.raw, config, nil, &updateErr), "js_UpdateStream", updateErr)
            defer { jsStreamInfo_Destroy(updated) }
            return StreamInfo(updated!)
        }
    }
}
