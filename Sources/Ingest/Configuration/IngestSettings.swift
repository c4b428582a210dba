import Columnstore

/// Every setting projection-ingest reads, declared once: `IngestConfiguration(settings:)` reads through
/// these, `--help` and docs/SETTINGS.md list them, and a test fails when the reads and the list differ.
public enum IngestSettings {
    public static let name = SettingDeclaration.string("PROJECTION_NAME", default: "orders-analytics", "the projection to run (a `projection` option of the descriptor set)")
    public static let storeKind = SettingDeclaration.choice(StoreKind.setting, default: "clickhouse", choices: ["clickhouse", "postgres_table"], "the store the projection is written to")
    public static let storeDSN = SettingDeclaration.required("PROJECTION_STORE_DSN", "`http://user:pass@host:8123/db` or `postgresql://user:pass@host/db`")
    public static let natsURL = SettingDeclaration.string("PROJECTION_NATS_URL", default: "nats://127.0.0.1:4222", "the NATS server")
    public static let stream = SettingDeclaration.string("PROJECTION_STREAM", shown: "`FACTS` (`FACTS_P{partition}` in replica mode)", "the JetStream stream of facts")
    public static let subjects = SettingDeclaration.string("PROJECTION_SUBJECTS", shown: "`facts.>` (`facts.p{partition}.>` in replica mode)", "the stream's subjects, comma-separated")
    public static let durable = SettingDeclaration.string("PROJECTION_DURABLE", shown: "`projection-<name>` (`-p{partition}` in replica mode)", "the durable pull consumer")
    public static let partition = SettingDeclaration.int("PROJECTION_PARTITION", default: 0, range: 0...1023, "the partition this single consumer reads (replica mode chooses it itself)")
    public static let partitions = SettingDeclaration.int("PROJECTION_PARTITIONS", default: nil, range: 1...1024, "replica mode: this many partitions shared by replicas through leases (docs/SCALING.md)")
    public static let replicaID = SettingDeclaration.string("PROJECTION_REPLICA_ID", shown: "`<hostname>-<pid>`", "replica mode: this replica's name in the leases")
    public static let leaseTTL = SettingDeclaration.milliseconds("PROJECTION_LEASE_TTL_MS", default: 15_000, range: 1_000...600_000, "replica mode: a partition lease's time to live")
    public static let leaseBucket = SettingDeclaration.string("PROJECTION_LEASE_BUCKET", default: "projection_leases", "replica mode: the JetStream KV bucket of leases")
    public static let httpPort = SettingDeclaration.int("PORT_HTTP", default: 8081, range: 1...65535, "the port of `/healthz`, `/readyz`, `/metrics`, `/version` and `/admin/*`")
    public static let httpHost = SettingDeclaration.string("PROJECTION_HTTP_HOST", default: "0.0.0.0", "the listen address of `PORT_HTTP`")
    public static let httpIdleTimeout = SettingDeclaration.milliseconds("PROJECTION_HTTP_IDLE_TIMEOUT_MS", default: 30_000, range: 100...3_600_000, "closes HTTP connections that send nothing for this long")
    public static let httpReadTimeout = SettingDeclaration.milliseconds("PROJECTION_HTTP_READ_TIMEOUT_MS", default: 10_000, range: 100...600_000, "the time a client has for its request headers (then its body, or the ingress body timeout if longer); an answer stalled unwritten this long closes the connection")
    public static let httpMaxConnections = SettingDeclaration.int("PROJECTION_HTTP_MAX_CONNECTIONS", default: 256, range: 1...1_000_000, "open HTTP connections at most")
    public static let batchMaxFacts = SettingDeclaration.int("PROJECTION_BATCH_MAX_FACTS", default: 5_000, range: 1...1_000_000, "a batch is cut at this many facts")
    public static let batchMaxBytes = SettingDeclaration.int("PROJECTION_BATCH_MAX_BYTES", default: 8 << 20, range: 1_024...(1 << 30), shown: "8 MiB", "… or at this many payload bytes")
    public static let batchLinger = SettingDeclaration.milliseconds("PROJECTION_BATCH_LINGER_MS", default: 100, range: 0...60_000, "… or when its first fact has waited this long")
    public static let retryInitial = SettingDeclaration.milliseconds("PROJECTION_RETRY_INITIAL_MS", default: 100, range: 1...60_000, "the first backoff of a failed store step (doubling)")
    public static let retryMax = SettingDeclaration.milliseconds("PROJECTION_RETRY_MAX_MS", default: 5_000, range: 1...600_000, "the longest backoff of a failed store step")
    public static let fetchBatch = SettingDeclaration.int("PROJECTION_FETCH_BATCH", default: 500, range: 1...10_000, "messages asked for per pull")
    public static let fetchMaxBytes = SettingDeclaration.int("PROJECTION_FETCH_MAX_BYTES", default: 4 << 20, range: 1_024...(1 << 30), shown: "4 MiB", "payload bytes asked for per pull (raised to the server's max payload + 64 KiB)")
    public static let maxAckPending = SettingDeclaration.int("PROJECTION_MAX_ACK_PENDING", default: 20_000, range: 1...1_000_000, "the consumer's unacked deliveries at most (≥ batch + fetch)")
    public static let ackWait = SettingDeclaration.milliseconds("PROJECTION_ACK_WAIT_MS", default: 30_000, range: 1_000...3_600_000, "the consumer's ack wait")
    public static let maxFactBytes = SettingDeclaration.int("PROJECTION_MAX_FACT_BYTES", default: 1 << 20, range: 1_024...(64 << 20), shown: "1 MiB", "a larger fact is quarantined")
    public static let stallAfter = SettingDeclaration.milliseconds("PROJECTION_STALL_AFTER_MS", default: 120_000, range: 0...86_400_000, "`/readyz` fails while facts are pending and the checkpoint has not moved for this long; 0 off")
    public static let readyMaxLagFacts = SettingDeclaration.int("PROJECTION_READY_MAX_LAG_FACTS", default: nil, range: 1...Int.max, "`/readyz` fails while the lag exceeds this many facts")
    public static let readyMaxLagSeconds = SettingDeclaration.int("PROJECTION_READY_MAX_LAG_SECONDS", default: nil, range: 1...31_536_000, "`/readyz` fails while the oldest pending fact is older than this")
    public static let startAt = SettingDeclaration.string("PROJECTION_START_AT", default: "first", "where a consumer without a checkpoint starts: `first`, `new`, `sequence:N` or `time:RFC3339` (recorded as its checkpoint)")
    public static let storeTimeout = SettingDeclaration.milliseconds("PROJECTION_STORE_TIMEOUT_MS", default: 60_000, range: 1_000...3_600_000, "each store request ends (and is retried) after this long")
    public static let drainTimeout = SettingDeclaration.milliseconds("PROJECTION_DRAIN_TIMEOUT_MS", default: 10_000, range: 0...600_000, "SIGTERM gives a failing batch this long before abandoning it (unacked)")
    public static let metricsTenantLabels = SettingDeclaration.bool("PROJECTION_METRICS_TENANT_LABELS", default: false, "label the consumed-facts metric by tenant (mind the cardinality)")
    public static let metricsTenantLabelLimit = SettingDeclaration.int("PROJECTION_METRICS_TENANT_LABEL_LIMIT", default: 100, range: 1...10_000, "with tenant labels: the first this many tenants seen get a series of their own, later ones share `tenant=\"other\"` (producers choose tenants)")
    public static let descriptorSet = SettingDeclaration.string(ProjectionSchema.descriptorSetEnvironmentKey, shown: "the built-in orders-analytics", "a compiled descriptor set (`protoc --descriptor_set_out --include_imports`) holding the projection")
    public static let tableSuffix = SettingDeclaration.string("PROJECTION_TABLE_SUFFIX", default: "", "writes to `<table><suffix>` (set by rebuilds)")
    public static let overlapFetch = SettingDeclaration.bool("PROJECTION_OVERLAP_FETCH", default: true, "fetch the next batch while one is written")
    public static let tenantFilter = SettingDeclaration.string("PROJECTION_TENANT_FILTER", "consume only this tenant's facts (set by tenant-scoped rebuilds)")
    public static let tenantSubjectToken = SettingDeclaration.int("PROJECTION_TENANT_SUBJECT_TOKEN", default: nil, range: 1...64, "the subject's N-th token is the fact's tenant; a fact naming another is quarantined")
    public static let adminToken = SettingDeclaration.string("PROJECTION_ADMIN_TOKEN", "enables the admin operations (docs/OPERATIONS.md); at least 16 characters")
    public static let logLevel = SettingDeclaration.choice("PROJECTION_LOG_LEVEL", default: "info", choices: ["trace", "debug", "info", "notice", "warning", "error", "critical"], "`debug` logs every fact with its tenant, id, trace and correlation ids")
    public static let streamReplicas = SettingDeclaration.int("PROJECTION_STREAM_REPLICAS", default: 1, range: 1...5, "copies of the stream and the lease bucket when ingest creates them (3 in a JetStream cluster; docs/SCALING.md)")
    public static let configFile = SettingDeclaration.string(SettingsSource.configFileSetting, "a file of `NAME=value` lines with defaults the environment overrides")

    public static let ingress = SettingDeclaration.bool("PROJECTION_INGRESS", default: false, "serve the HTTP push ingress, `POST /events` (docs/INGRESS.md)")
    public static let ingressTokens = SettingDeclaration.string("PROJECTION_INGRESS_TOKENS", "ingress producer tokens: `TOKEN=tenant[,tenant]:type[,type]\\|*` entries separated by `;`")
    public static let ingressTokensFile = SettingDeclaration.string("PROJECTION_INGRESS_TOKENS_FILE", "the same, one entry a line")
    public static let ingressSubject = SettingDeclaration.string("PROJECTION_INGRESS_SUBJECT", default: "facts.{tenant}.{type}", "the subject an ingress event is published to")
    public static let ingressMaxBodyBytes = SettingDeclaration.int("PROJECTION_INGRESS_MAX_BODY_BYTES", default: 1 << 20, range: 1_024...(256 << 20), shown: "1 MiB", "an ingress request's body bytes at most (413)")
    public static let ingressMaxBatch = SettingDeclaration.int("PROJECTION_INGRESS_MAX_BATCH", default: 1_000, range: 1...100_000, "events per ingress batch at most (413)")
    public static let ingressBodyTimeout = SettingDeclaration.milliseconds("PROJECTION_INGRESS_BODY_TIMEOUT_MS", default: 10_000, range: 100...600_000, "the time an ingress request has for its body (408)")
    public static let ingressPublishTimeout = SettingDeclaration.milliseconds("PROJECTION_INGRESS_PUBLISH_TIMEOUT_MS", default: 5_000, range: 100...600_000, "the wait for the stream's PubAck (then 503)")
    public static let ingressMaxWait = SettingDeclaration.milliseconds("PROJECTION_INGRESS_MAX_WAIT_MS", default: 30_000, range: 0...600_000, "the longest `?wait=` an ingress request may ask for")
    public static let ingressMaxInflightBytes = SettingDeclaration.int("PROJECTION_INGRESS_MAX_INFLIGHT_BYTES", default: 16 << 20, range: 1_024...(64 << 30), shown: "16 MiB",
                                                                       "ingress body bytes held at once, all requests together (then 503); at least PROJECTION_INGRESS_MAX_BODY_BYTES")
    public static let ingressMaxWaiters = SettingDeclaration.int("PROJECTION_INGRESS_MAX_WAITERS", default: 64, range: 0...10_000,
                                                                 "ingress requests waiting on `?wait=` at once (more answer 202 at once)")
    public static let ingressRetryAfter = SettingDeclaration.int("PROJECTION_INGRESS_RETRY_AFTER_S", default: 1, range: 1...3_600, "the `Retry-After` of a 503")

    /// In the order `--help` and the docs show them.
    public static let all: [SettingDeclaration] = [
        name, storeKind, storeDSN, natsURL, stream, subjects, durable, partition, httpPort, httpHost, httpIdleTimeout, httpReadTimeout,
        httpMaxConnections, batchMaxFacts, batchMaxBytes, batchLinger, retryInitial, retryMax, fetchBatch, fetchMaxBytes, maxAckPending,
        ackWait, maxFactBytes, storeTimeout, drainTimeout, overlapFetch, startAt, stallAfter, readyMaxLagFacts, readyMaxLagSeconds,
        metricsTenantLabels, metricsTenantLabelLimit, descriptorSet, tableSuffix, tenantFilter, tenantSubjectToken, adminToken, logLevel, configFile,
        partitions, replicaID, leaseTTL, leaseBucket,
        ingress, ingressTokens, ingressTokensFile, ingressSubject, ingressMaxBodyBytes, ingressMaxBatch, ingressBodyTimeout,
        ingressPublishTimeout, ingressMaxWait, ingressMaxInflightBytes, ingressMaxWaiters, ingressRetryAfter,
        streamReplicas,
    ]
}
