extension StreamBounds {
    /// Why the stream cannot be the one the checkpoint was written against, or nil.
    ///
    /// A stream's last sequence never goes down while it exists (a purge keeps it), so a checkpoint past it
    /// means the stream was deleted and re-created (numbered from 1 again) or is another stream under the
    /// same name. The consumer starts after the checkpoint, so the new stream's facts up to it would be
    /// skipped without a word; ingest cannot repair that, so it is reported (docs/OPERATIONS.md).
    ///
    /// A first sequence past `checkpoint + 1` is not reported: on a stream shared with other subjects (several
    /// partitions on one stream, or a narrower `PROJECTION_SUBJECTS`) the messages that left may all have been
    /// other consumers' facts, and the bounds cannot tell.
    public func problem(checkpoint: UInt64) -> String? {
        guard checkpoint > last else { return nil }
        return "the stream's last sequence \(last) is below the checkpoint \(checkpoint): the stream was re-created "
            + "(or PROJECTION_START_AT named a sequence it has not reached); its facts up to \(checkpoint) will not be applied"
    }
}
