import Foundation
import Columnstore
import Logging

extension IngestConfiguration {
    public init(settings: SettingsSource) throws {
        typealias S = IngestSettings
        logLevel = try settings.oneOf(S.logLevel, choices: Dictionary(uniqueKeysWithValues: Logger.Level.allCases.map { ($0.rawValue, $0) }))
        projection = settings.string(S.name)!
        storeKind = try settings.oneOf(S.storeKind, choices: StoreKind.environmentChoices)
        storeDSN = try settings.required(S.storeDSN, hint: "the \(storeKind.environmentValue) connection string, e.g. from `dev/stack env`")
        natsURL = settings.string(S.natsURL)!
        streamReplicas = try settings.int(S.streamReplicas)!
        partitions = try settings.int(S.partitions)
        let partitioned = partitions != nil
        stream = settings.string(S.stream) ?? (partitioned ? "FACTS_P{partition}" : "FACTS")
        subjects = (settings.string(S.subjects) ?? (partitioned ? "facts.p{partition}.>" : "facts.>")).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !subjects.isEmpty else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_SUBJECTS", reason: "needs at least one subject")
        }
        partition = try settings.int(S.partition)!
        durable = settings.string(S.durable) ?? (partitioned ? "projection-\(projection)-p{partition}" : ConsumerID.defaultDurable(projection: projection, partition: partition))
        if partitioned {
            // Every partition must read its own facts: the subjects have to name the partition.
            guard subjects.allSatisfy({ $0.contains("{partition}") }) else {
                throw ConfigurationError(code: .invalid, setting: "PROJECTION_SUBJECTS", reason: "with PROJECTION_PARTITIONS, every subject must contain {partition}")
            }
            guard settings.string(S.partition.name) == nil else {
                throw ConfigurationError(code: .invalid, setting: "PROJECTION_PARTITION", reason: "is chosen by the lease coordinator when PROJECTION_PARTITIONS is set; unset it")
            }
        }
        guard ConsumerID.isDurableName(durable.replacingOccurrences(of: "{partition}", with: "0")) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_DURABLE", reason: "may hold only letters, digits, - and _")
        }
        guard !stream.isEmpty, !stream.contains(where: { " .*>\t/\\".contains($0) }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_STREAM", reason: "must not be empty or contain spaces, '.', '*', '>', '/' or '\\'")
        }
        replicaID = settings.string(S.replicaID) ?? Self.defaultReplicaID()
        guard !replicaID.isEmpty, replicaID.count <= 64, replicaID.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") && $0.isASCII }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_REPLICA_ID", reason: "may hold only ASCII letters, digits, - and _ (at most 64)")
        }
        lease = LeaseSettings(ttl: try settings.milliseconds(S.leaseTTL)!)
        leaseBucket = settings.string(S.leaseBucket)!
        guard leaseBucket.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") && $0.isASCII }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_LEASE_BUCKET", reason: "may hold only ASCII letters, digits, - and _")
        }
        httpPort = try settings.int(S.httpPort)!
        httpHost = settings.string(S.httpHost)!
        httpIdleTimeout = try settings.milliseconds(S.httpIdleTimeout)!
        httpReadTimeout = try settings.milliseconds(S.httpReadTimeout)!
        httpMaxConnections = try settings.int(S.httpMaxConnections)!
        batching = BatchingPolicy(
            maxFacts: try settings.int(S.batchMaxFacts)!,
            maxBytes: try settings.int(S.batchMaxBytes)!,
            linger: try settings.milliseconds(S.batchLinger)!,
            initialBackoff: try settings.milliseconds(S.retryInitial)!,
            maxBackoff: try settings.milliseconds(S.retryMax)!)
        fetchBatch = try settings.int(S.fetchBatch)!
        fetchMaxBytes = try settings.int(S.fetchMaxBytes)!
        maxAckPending = try settings.int(S.maxAckPending)!
        guard maxAckPending >= batching.maxFacts + fetchBatch else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_MAX_ACK_PENDING", reason: "must be at least PROJECTION_BATCH_MAX_FACTS + PROJECTION_FETCH_BATCH (\(batching.maxFacts + fetchBatch)), or batches could never fill")
        }
        ackWait = try settings.milliseconds(S.ackWait)!
        maxFactBytes = try settings.int(S.maxFactBytes)!
        let stallAfter = try settings.milliseconds(S.stallAfter)!
        freshness = FreshnessPolicy(
            stallAfter: stallAfter == .zero ? nil : stallAfter,
            maxLagFacts: try settings.int(S.readyMaxLagFacts).map { UInt64($0) },
            maxLagSeconds: try settings.int(S.readyMaxLagSeconds).map { Double($0) })
        startAt = try StartPosition(setting: settings.string(S.startAt)!)
        storeTimeout = try settings.milliseconds(S.storeTimeout)!
        drainTimeout = try settings.milliseconds(S.drainTimeout)!
        metricsTenantLabels = try settings.bool(S.metricsTenantLabels)
        metricsTenantLabelLimit = try settings.int(S.metricsTenantLabelLimit)!
        descriptorSetPath = settings.string(S.descriptorSet)
        tableSuffix = settings.string(S.tableSuffix.name) ?? ""
        guard tableSuffix.count <= 32, tableSuffix.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "_" }), tableSuffix.allSatisfy(\.isASCII) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_TABLE_SUFFIX", reason: "may hold only a-z, 0-9 and _ (at most 32)")
        }
        overlapFetch = try settings.bool(S.overlapFetch)
        tenantFilter = settings.string(S.tenantFilter)
        if let tenantFilter, tenantFilter.isEmpty {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_TENANT_FILTER", reason: "must name a tenant when set")
        }
        tenantSubjectToken = try settings.int(S.tenantSubjectToken)
        adminToken = settings.string(S.adminToken)
        if let adminToken, adminToken.count < 16 {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_ADMIN_TOKEN", reason: "must be at least 16 characters")
        }
        if let adminToken, adminToken.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            // An Authorization header's bearer token cannot hold them (RFC 6750 b64token): it could never be presented.
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_ADMIN_TOKEN", reason: "must not contain spaces, tabs or control characters")
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
