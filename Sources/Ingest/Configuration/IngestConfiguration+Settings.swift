import Foundation
import Columnstore

extension IngestConfiguration {
    public init(settings: SettingsSource) throws {
        projection = settings.string("PROJECTION_NAME", default: "orders-analytics")
        storeKind = try settings.oneOf(StoreKind.setting, default: .clickhouse, choices: StoreKind.environmentChoices)
        storeDSN = try settings.required("PROJECTION_STORE_DSN", hint: "the \(storeKind.environmentValue) connection string, e.g. from `dev/stack env`")
        natsURL = settings.string("PROJECTION_NATS_URL", default: "nats://127.0.0.1:4222")
        partitions = settings.string("PROJECTION_PARTITIONS") == nil ? nil : try settings.int("PROJECTION_PARTITIONS", default: 1, range: 1...1024)
        let partitioned = partitions != nil
        stream = settings.string("PROJECTION_STREAM", default: partitioned ? "FACTS_P{partition}" : "FACTS")
        subjects = settings.string("PROJECTION_SUBJECTS", default: partitioned ? "facts.p{partition}.>" : "facts.>").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !subjects.isEmpty else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_SUBJECTS", reason: "needs at least one subject")
        }
        partition = try settings.int("PROJECTION_PARTITION", default: 0, range: 0...1023)
        durable = settings.string("PROJECTION_DURABLE", default: partitioned ? "projection-\(projection)-p{partition}" : ConsumerID.defaultDurable(projection: projection, partition: partition))
        if partitioned {
            // Every partition must read its own facts: the subjects have to name the partition.
            guard subjects.allSatisfy({ $0.contains("{partition}") }) else {
                throw ConfigurationError(code: .invalid, setting: "PROJECTION_SUBJECTS", reason: "with PROJECTION_PARTITIONS, every subject must contain {partition}")
            }
            guard settings.string("PROJECTION_PARTITION") == nil else {
                throw ConfigurationError(code: .invalid, setting: "PROJECTION_PARTITION", reason: "is chosen by the lease coordinator when PROJECTION_PARTITIONS is set; unset it")
            }
        }
        guard durable.replacingOccurrences(of: "{partition}", with: "0").allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_DURABLE", reason: "may hold only letters, digits, - and _")
        }
        guard !stream.isEmpty, !stream.contains(where: { " .*>\t/\\".contains($0) }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_STREAM", reason: "must not be empty or contain spaces, '.', '*', '>', '/' or '\\'")
        }
        replicaID = settings.string("PROJECTION_REPLICA_ID", default: Self.defaultReplicaID())
        guard !replicaID.isEmpty, replicaID.count <= 64, replicaID.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") && $0.isASCII }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_REPLICA_ID", reason: "may hold only ASCII letters, digits, - and _ (at most 64)")
        }
        lease = LeaseSettings(ttl: try settings.milliseconds("PROJECTION_LEASE_TTL_MS", default: 15_000, range: 1_000...600_000))
        leaseBucket = settings.string("PROJECTION_LEASE_BUCKET", default: "projection_leases")
        guard leaseBucket.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") && $0.isASCII }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_LEASE_BUCKET", reason: "may hold only ASCII letters, digits, - and _")
        }
        httpPort = try settings.int("PORT_HTTP", default: 8081, range: 1...65535)
        httpHost = settings.string("PROJECTION_HTTP_HOST", default: "0.0.0.0")
        httpIdleTimeout = try settings.milliseconds("PROJECTION_HTTP_IDLE_TIMEOUT_MS", default: 30_000, range: 100...3_600_000)
        httpReadTimeout = try settings.milliseconds("PROJECTION_HTTP_READ_TIMEOUT_MS", default: 10_000, range: 100...600_000)
        httpMaxConnections = try settings.int("PROJECTION_HTTP_MAX_CONNECTIONS", default: 256, range: 1...1_000_000)
        batching = BatchingPolicy(
            maxFacts: try settings.int("PROJECTION_BATCH_MAX_FACTS", default: 5_000, range: 1...1_000_000),
            maxBytes: try settings.int("PROJECTION_BATCH_MAX_BYTES", default: 8 << 20, range: 1_024...(1 << 30)),
            linger: try settings.milliseconds("PROJECTION_BATCH_LINGER_MS", default: 100, range: 0...60_000),
            initialBackoff: try settings.milliseconds("PROJECTION_RETRY_INITIAL_MS", default: 100, range: 1...60_000),
            maxBackoff: try settings.milliseconds("PROJECTION_RETRY_MAX_MS", default: 5_000, range: 1...600_000))
        fetchBatch = try settings.int("PROJECTION_FETCH_BATCH", default: 500, range: 1...10_000)
        fetchMaxBytes = try settings.int("PROJECTION_FETCH_MAX_BYTES", default: 4 << 20, range: 1_024...(1 << 30))
        maxAckPending = try settings.int("PROJECTION_MAX_ACK_PENDING", default: 20_000, range: 1...1_000_000)
        guard maxAckPending >= batching.maxFacts + fetchBatch else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_MAX_ACK_PENDING", reason: "must be at least PROJECTION_BATCH_MAX_FACTS + PROJECTION_FETCH_BATCH (\(batching.maxFacts + fetchBatch)), or batches could never fill")
        }
        ackWait = try settings.milliseconds("PROJECTION_ACK_WAIT_MS", default: 30_000, range: 1_000...3_600_000)
        maxFactBytes = try settings.int("PROJECTION_MAX_FACT_BYTES", default: 1 << 20, range: 1_024...(64 << 20))
        let stallAfter = try settings.milliseconds("PROJECTION_STALL_AFTER_MS", default: 120_000, range: 0...86_400_000)
        freshness = FreshnessPolicy(
            stallAfter: stallAfter == .zero ? nil : stallAfter,
            maxLagFacts: settings.string("PROJECTION_READY_MAX_LAG_FACTS") == nil ? nil
                : UInt64(try settings.int("PROJECTION_READY_MAX_LAG_FACTS", default: 0, range: 1...Int.max)),
            maxLagSeconds: settings.string("PROJECTION_READY_MAX_LAG_SECONDS") == nil ? nil
                : Double(try settings.int("PROJECTION_READY_MAX_LAG_SECONDS", default: 0, range: 1...31_536_000)))
        startAt = try StartPosition(setting: settings.string("PROJECTION_START_AT", default: "first"))
        storeTimeout = try settings.milliseconds("PROJECTION_STORE_TIMEOUT_MS", default: 60_000, range: 1_000...3_600_000)
        drainTimeout = try settings.milliseconds("PROJECTION_DRAIN_TIMEOUT_MS", default: 10_000, range: 0...600_000)
        metricsTenantLabels = try settings.bool("PROJECTION_METRICS_TENANT_LABELS", default: false)
        descriptorSetPath = settings.string("PROJECTION_DESCRIPTOR_SET")
        tableSuffix = settings.string("PROJECTION_TABLE_SUFFIX", default: "")
        guard tableSuffix.count <= 32, tableSuffix.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "_" }), tableSuffix.allSatisfy(\.isASCII) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_TABLE_SUFFIX", reason: "may hold only a-z, 0-9 and _ (at most 32)")
        }
        overlapFetch = try settings.bool("PROJECTION_OVERLAP_FETCH", default: true)
        tenantFilter = settings.string("PROJECTION_TENANT_FILTER")
        if let tenantFilter, tenantFilter.isEmpty {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_TENANT_FILTER", reason: "must name a tenant when set")
        }
        tenantSubjectToken = settings.string("PROJECTION_TENANT_SUBJECT_TOKEN") == nil
            ? nil : try settings.int("PROJECTION_TENANT_SUBJECT_TOKEN", default: 1, range: 1...64)
        adminToken = settings.string("PROJECTION_ADMIN_TOKEN")
        if let adminToken, adminToken.count < 16 {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_ADMIN_TOKEN", reason: "must be at least 16 characters")
        }
        ingress = try IngressSettings.from(settings, configuration: self)
    }

    /// `<hostname>-<pid>`, cleaned to the characters a lease key allows.
    static func defaultReplicaID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "replica"
        let clean = String(host.map { ($0.isLetter || $0.isNumber || $0 == "-") && $0.isASCII ? $0 : "-" }.prefix(48))
        return "\(clean.isEmpty ? "replica" : clean)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
