import Synchronization

/// The lease a partition's pipeline writes under: its epoch (the fencing token the store checks) and
/// how long it may still write. The coordinator extends it on every renewal; the pipeline checks it
/// before every store step and stops once it lapsed.
public final class PartitionLease: Sendable {
    public let partition: Int
    /// The KV revision of the acquisition: strictly increasing across the bucket, so a later owner
    /// always holds a higher epoch.
    public let epoch: UInt64
    private let validUntil: Mutex<ContinuousClock.Instant>

    public init(partition: Int, epoch: UInt64, validUntil: ContinuousClock.Instant) {
        self.partition = partition
        self.epoch = epoch
        self.validUntil = Mutex(validUntil)
    }

    public func extend(to instant: ContinuousClock.Instant) {
        validUntil.withLock { $0 = max($0, instant) }
    }

    /// Ends the lease now (lost, or handed back).
    public func revoke() {
        validUntil.withLock { $0 = ContinuousClock.Instant.now - .seconds(1) }
    }

    public func isValid(at now: ContinuousClock.Instant) -> Bool {
        validUntil.withLock { now < $0 }
    }
}
