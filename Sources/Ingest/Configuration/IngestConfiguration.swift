import Logging
import Columnstore

/// Everything projection-ingest is told, read once at startup (see `init(settings:)`). Invalid values
/// stop the process with a message naming the setting.
public struct IngestConfiguration: Sendable {
    /// `PROJECTION_NAME`; default `orders-analytics`, the example that ships with the product.
    /// The log level (`PROJECTION_LOG_LEVEL`).
    public var logLevel: Logger.Level
    public var projection: String
    /// `PROJECTION_STORE_KIND`: `clickhouse` (default) or `postgres_table`.
    public var storeKind: StoreKind
    /// `PROJECTION_STORE_DSN`, required. Never logged unredacted.
    public var storeDSN: String
    /// `PROJECTION_NATS_URL`; default `nats://127.0.0.1:4222`.
    public var natsURL: String
    /// `PROJECTION_STREAM`; default `FACTS`. Created with file storage if missing.
    public var stream: String
    /// `PROJECTION_SUBJECTS`, comma-separated; default `facts.>`.
    public var subjects: [String]
    /// `PROJECTION_DURABLE`; default `projection-<name>`.
    public var durable: String
    /// `PROJECTION_PARTITION`; default 0. Each partition has its own consumer and checkpoint.
    public var partition: Int
    /// `PORT_HTTP`; default 8081.
    public var httpPort: Int
    /// `PROJECTION_HTTP_HOST`; default 0.0.0.0 (probes and scrapers reach the container from outside;
    /// set 127.0.0.1 when they run on the same host).
    public var httpHost: String
    /// `PROJECTION_HTTP_IDLE_TIMEOUT_MS`; default 30000: a connection that sends nothing for this long
    /// (idle, or stalled mid-request) is closed.
    public var httpIdleTimeout: Duration
    /// `PROJECTION_HTTP_READ_TIMEOUT_MS`; default 10000: a connection whose request headers are not
    /// complete this long after their first byte is closed (a client trickling bytes defeats the idle timeout).
    public var httpReadTimeout: Duration = .seconds(10)
    /// `PROJECTION_HTTP_MAX_CONNECTIONS`; default 256: open connections at most; more wait in the backlog.
    public var httpMaxConnections: Int
    /// `PROJECTION_BATCH_MAX_FACTS` (default 5000), `PROJECTION_BATCH_MAX_BYTES` (default 8 MiB of
    /// payload) and `PROJECTION_BATCH_LINGER_MS` (default 100).
    public var batching: BatchingPolicy
    /// `PROJECTION_FETCH_BATCH`; default 500 messages per pull.
    public var fetchBatch: Int
    /// `PROJECTION_FETCH_MAX_BYTES`; default 4 MiB per pull, raised to the server's max payload + 64 KiB
    /// (a pull smaller than a message would never get it). See docs/OPERATIONS.md for the memory bound.
    public var fetchMaxBytes: Int
    /// `PROJECTION_MAX_ACK_PENDING`; default 20000. Must exceed the batch size.
    public var maxAckPending: Int
    /// `PROJECTION_ACK_WAIT_MS`; default 30000.
    public var ackWait: Duration
    /// `PROJECTION_MAX_FACT_BYTES`; default 1 MiB. Larger facts are quarantined.
    public var maxFactBytes: Int
    /// `PROJECTION_STORE_TIMEOUT_MS`; default 60000: one store request (a Postgres statement, a ClickHouse
    /// HTTP request) that takes longer is abandoned and retried, so a store that stops answering is a
    /// retried failure, not a hung consumer.
    public var storeTimeout: Duration = .seconds(60)
    /// `PROJECTION_START_AT`: `first` (default), `new`, `sequence:N` or `time:RFC3339`; only for a consumer
    /// without a checkpoint, and recorded as its checkpoint (see `StartPosition`).
    public var startAt: StartPosition = .first
    /// `PROJECTION_STALL_AFTER_MS` (default 120000; 0 off), `PROJECTION_READY_MAX_LAG_FACTS` and
    /// `PROJECTION_READY_MAX_LAG_SECONDS` (unset): the stall alarm and readiness thresholds.
    public var freshness = FreshnessPolicy()
    /// `PROJECTION_DRAIN_TIMEOUT_MS`; default 10000: how long SIGTERM waits for the batch in flight.
    public var drainTimeout: Duration
    /// `PROJECTION_METRICS_TENANT_LABELS`; default false. Tenant labels multiply series: only for few tenants.
    public var metricsTenantLabels: Bool
    /// `PROJECTION_METRICS_TENANT_LABEL_LIMIT`; default 100. Tenants beyond it share the label `other`.
    public var metricsTenantLabelLimit: Int
    /// `PROJECTION_DESCRIPTOR_SET`: a FileDescriptorSet of the user's projection; default the built-in example.
    public var descriptorSetPath: String?
    /// `PROJECTION_ADMIN_TOKEN`: the bearer token the mutating admin endpoints (pause, resume, quarantine
    /// list and re-drive) require; unset disables them. Never logged.
    public var adminToken: String?
    /// `PROJECTION_INGRESS` and its settings (docs/INGRESS.md); nil when the HTTP push ingress is off.
    var ingress: IngressSettings?

    /// `PROJECTION_TABLE_SUFFIX`; default empty. Set by `projection-migrate rebuild` for its own ingest:
    /// the tables written become `<table><suffix>`, and the checkpoint, seen keys and quarantine live under
    /// the namespace `<projection><suffix>`, apart from the live consumer's.
    public var tableSuffix: String = ""

    /// Not a setting: how long fetches may stay empty, with nothing held, before the stream is asked
    /// whether it holds facts past the checkpoint (then the consumer is re-created; `StalledConsumerWatch`).
    /// Tests shorten it.
    public var stalledConsumerAfter: Duration = .seconds(5)

    /// `PROJECTION_OVERLAP_FETCH`; default true. Fetches and decodes the next batch while one is written
    /// (1.3× faster drains; one batch in flight either way). `false` fetches only between writes.
    public var overlapFetch = true

    /// `PROJECTION_TENANT_FILTER`; unset by default. Set by `projection-migrate rebuild --tenant`: facts of
    /// any other tenant (and facts whose tenant cannot be read) are acked as not consumed.
    public var tenantFilter: String?

    /// `PROJECTION_TENANT_SUBJECT_TOKEN`; unset by default. Set to N, the N-th token (1-based) of each
    /// message's subject names its tenant (`facts.<tenant>.orders…` is 2): a fact without `tenantid` takes
    /// it, and a fact whose `tenantid` differs is quarantined: a producer allowed to publish only on its
    /// tenant's subjects (NATS permissions) then cannot write into another tenant.
    public var tenantSubjectToken: Int?

    /// `PROJECTION_PARTITIONS`: unset (default) runs the one consumer configured above. Set to P, the
    /// process is a replica that shares partitions 0…P-1 with the other replicas of the projection through
    /// leases (`PartitionCoordinator`); `PROJECTION_STREAM`, `PROJECTION_SUBJECTS` and
    /// `PROJECTION_DURABLE` are then templates in which `{partition}` stands for the partition number
    /// (defaults `FACTS_P{partition}`, `facts.p{partition}.>`, `projection-<name>-p{partition}`).
    public var partitions: Int?
    /// `PROJECTION_REPLICA_ID`; default `<hostname>-<pid>`. Names this replica in its leases.
    public var replicaID: String = ""
    /// `PROJECTION_LEASE_TTL_MS`; default 15000 (renewed every third, writes stop a quarter before).
    public var lease = LeaseSettings()
    /// `PROJECTION_LEASE_BUCKET`; default `projection_leases`, a JetStream KV bucket created if missing.
    public var leaseBucket: String = "projection_leases"
    /// Copies of the stream and the lease bucket when ingest creates them (an existing one keeps its own).
    public var streamReplicas: Int = 1

    /// The checkpoint/seen-keys/quarantine identity; its projection is the namespace.
    public var consumer: ConsumerID { ConsumerID(projection: projection + tableSuffix, consumer: durable, partition: partition) }
}

extension IngestConfiguration {
    /// The configuration of one partition in replica mode: templates filled in, one consumer.
    public func forPartition(_ partition: Int) -> IngestConfiguration {
        var copy = self
        let fill = { (template: String) in template.replacingOccurrences(of: "{partition}", with: String(partition)) }
        copy.partition = partition
        copy.stream = fill(stream)
        copy.subjects = subjects.map(fill)
        copy.durable = fill(durable)
        copy.partitions = nil
        return copy
    }
}
