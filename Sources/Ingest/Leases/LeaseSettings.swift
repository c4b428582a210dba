/// How partition leases are held (from `PROJECTION_LEASE_TTL_MS`; the rest derives from the TTL).
public struct LeaseSettings: Sendable, Equatable {
    /// How long a lease lives without renewal (the KV bucket's TTL); default 15 s.
    public var ttl: Duration
    /// Renew this often: a third of the TTL, so two renewals may fail before the lease is at risk.
    public var renewEvery: Duration { ttl / 3 }
    /// An owner stops writing this long before its lease could expire on the server: a quarter of the
    /// TTL. The server's clock starts a renewal's TTL no earlier than the owner sent it, so a new owner
    /// can only acquire after the old one stopped (barring clock-rate skew larger than the margin).
    public var safetyMargin: Duration { ttl / 4 }
    /// How often the coordinator looks at the bucket.
    public var tickEvery: Duration { min(max(ttl / 10, .milliseconds(100)), .seconds(1)) }

    public init(ttl: Duration = .seconds(15)) {
        self.ttl = ttl
    }
}
