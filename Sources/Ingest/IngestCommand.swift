import Foundation
import ArgumentParser
import ClickHouseHTTP
import Columnstore
import HTTPGuards
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import ClickHouseBackend
import PostgresBackend

/// projection-ingest: consumes CloudEvents facts from a NATS JetStream durable pull consumer and writes
/// them to the projection's store, acking only after the write is durable.
public struct IngestCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "projection-ingest",
        abstract: "Consume facts from NATS JetStream into the projection's store (exactly-once on Postgres, effectively-once on ClickHouse).",
        discussion: """
        Configured from the environment (and PROJECTION_CONFIG_FILE, a file of NAME=value lines; the environment wins):
        \(IngestSettings.all.helpText)

        Serves /healthz, /readyz, /metrics, /version and /admin/ingestion on PORT_HTTP, the operator console at
        GET /console (its history at GET /admin/ingestion/history), and with PROJECTION_ADMIN_TOKEN the admin
        operations in docs/OPERATIONS.md; with PROJECTION_INGRESS, POST /events takes CloudEvents (docs/INGRESS.md).
        Every setting: docs/SETTINGS.md.
        """,
        version: BuildInfo.productVersion
    )

    public init() {}

    public func run() async throws {
        let parsed = Result { try IngestConfiguration(settings: try SettingsSource.fromEnvironment()) }
        let level = (try? parsed.get())?.logLevel ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "projection.ingest")
        let configuration: IngestConfiguration
        let schema: ProjectionSchema
        do {
            configuration = try parsed.get()
            schema = try ProjectionSchema.resolve(descriptorSetPath: configuration.descriptorSetPath, projection: configuration.projection)
                .withTableSuffix(configuration.tableSuffix)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(2)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let build = BuildInfo(projection: configuration.projection, schema: schema, store: configuration.storeKind)
        Gauge(label: "projection_build_info", dimensions: build.metricDimensions).record(1)
        if configuration.partitions != nil {
            try await runReplica(configuration: configuration, schema: schema, build: build, registry: registry, logger: logger)
            return
        }
        let status = IngestStatus(freshness: configuration.freshness)
        logger.info("starting", metadata: [
            "projection": "\(configuration.projection)", "store": "\(configuration.storeKind.environmentValue)",
            "stream": "\(configuration.stream)", "durable": "\(configuration.durable)", "port": "\(configuration.httpPort)",
        ])
        switch configuration.storeKind {
        case .clickhouse:
            let client = try ClickHouseClient(
                dsn: configuration.storeDSN, configuration: .init(requestTimeout: configuration.storeTimeout), logger: Logger(label: "projection.clickhouse"))
            let store = ClickHouseProjectionStore(client: client, schema: schema)
            try await runServices(IngestPipeline(configuration: configuration, store: store, schema: schema, status: status, logger: logger),
                                  configuration: configuration, schema: schema, build: build, status: status, registry: registry, logger: logger)
        case .postgres:
            let store = PostgresProjectionStore(dsn: configuration.storeDSN, schema: schema, logger: logger, statementDeadline: configuration.storeTimeout)
            try await runServices(IngestPipeline(configuration: configuration, store: store, schema: schema, status: status, logger: logger),
                                  configuration: configuration, schema: schema, build: build, status: status, registry: registry, logger: logger)
        }
    }

    /// Replica mode: a `PartitionCoordinator` takes partition leases and runs a pipeline per partition.
    /// The pause/resume/reload/quarantine admin operations act on one consumer and are not served here.
    private func runReplica(configuration: IngestConfiguration, schema: ProjectionSchema, build: BuildInfo, registry: PrometheusCollectorRegistry, logger: Logger) async throws {
        let status = ReplicaStatus(replica: configuration.replicaID, partitionCount: configuration.partitions ?? 1)
        logger.info("starting replica", metadata: [
            "projection": "\(configuration.projection)", "store": "\(configuration.storeKind.environmentValue)",
            "replica": "\(configuration.replicaID)", "partitions": "\(configuration.partitions ?? 1)",
            "stream": "\(configuration.stream)", "lease_bucket": "\(configuration.leaseBucket)", "port": "\(configuration.httpPort)",
        ])
        let coordinator: any Service
        switch configuration.storeKind {
        case .clickhouse:
            // One client (a pool of keep-alive connections) shared by every partition's store.
            let client = try ClickHouseClient(
                dsn: configuration.storeDSN, configuration: .init(requestTimeout: configuration.storeTimeout), logger: Logger(label: "projection.clickhouse"))
            coordinator = PartitionCoordinator(configuration: configuration, schema: schema, status: status, logger: logger) {
                ClickHouseProjectionStore(client: client, schema: schema)
            }
        case .postgres:
            // One connection per partition: each commits its own transactions.
            // A replica frozen mid-transaction would hold its partition's checkpoint row lock for the whole
            // freeze; the server ends such a transaction after one lease TTL, so a new owner waits at most that.
            let dsn = configuration.storeDSN, deadline = configuration.storeTimeout, ttl = configuration.lease.ttl
            coordinator = PartitionCoordinator(configuration: configuration, schema: schema, status: status, logger: logger) {
                PostgresProjectionStore(dsn: dsn, schema: schema, logger: logger, statementDeadline: deadline, idleTransactionTimeout: ttl)
            }
        }
        try await Self.serve(coordinator, status: status, router: OperationsRouter.make(status: status, registry: registry, build: build, stateHash: Self.stateHashRoutes(configuration, schema: schema)),
                             configuration: configuration, logger: logger, registry: registry)
    }

    static func stateHashRoutes(_ configuration: IngestConfiguration, schema: ProjectionSchema) -> StateHashRoutes {
        StateHashRoutes(token: AdminToken(configuration.adminToken), store: configuration.storeKind, dsn: configuration.storeDSN, schema: schema)
    }

    private func runServices<Store: ProjectionStore>(
        _ pipeline: IngestPipeline<Store, JetStreamSource>, configuration: IngestConfiguration, schema: ProjectionSchema, build: BuildInfo, status: IngestStatus, registry: PrometheusCollectorRegistry, logger: Logger
    ) async throws {
        let router = OperationsRouter.make(status: status, registry: registry, build: build, admin: pipeline, adminToken: configuration.adminToken,
                                           stateHash: Self.stateHashRoutes(configuration, schema: schema))
        var extra: [any Service] = []
        if let ingress = configuration.ingress {
            // The HTTP push ingress (PROJECTION_INGRESS): POST /events publishes to the stream this pipeline reads.
            let link = IngressLink(url: ingress.natsURL, projection: configuration.projection, publishTimeout: ingress.publishTimeout,
                                   logger: Logger(label: "projection.ingest.ingress"))
            IngressRoutes(settings: ingress, link: link, status: status, logger: Logger(label: "projection.ingest.ingress"),
                          metrics: IngressMetrics(projection: configuration.projection)).register(on: router)
            extra.append(link)
        }
        try await Self.serve(pipeline, status: status, router: router, configuration: configuration, logger: logger,
                             registry: registry, skipping: pipeline, extraServices: extra)
    }

    /// Runs the ingest service beside the HTTP endpoints; SIGTERM/SIGINT drain it, and its end ends both.
    private static func serve(_ ingest: any Service, status: any IngestStatusReporting, router: Router<BasicRequestContext>, configuration: IngestConfiguration, logger: Logger,
                              registry: PrometheusCollectorRegistry, skipping: (any QuarantineSkipping)? = nil, extraServices: [any Service] = []) async throws {
        // The operator console (GET /console) and its once-a-second history.
        let history = IngestionHistory()
        ConsoleRoutes(history: history, skipping: skipping, token: configuration.adminToken).register(on: router)
        let httpLogger = Logger(label: "projection.ingest.http")
        // Idle or stalled connections are closed, headers that trickle in past the read timeout too, and
        // their number is bounded, so clients that open connections and send little cannot pile up.
        let app = Application(
            router: router,
            server: GuardedHTTP1.server(readTimeout: configuration.httpReadTimeout, idleTimeout: configuration.httpIdleTimeout),
            configuration: .init(
                address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "projection-ingest",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.httpMaxConnections, logger: httpLogger)),
            logger: httpLogger)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: ingest, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: app),
                .init(service: FreshnessWatch(status: status, projection: configuration.projection, logger: logger)),
                .init(service: IngestionHistorySampler(status: status, latency: CommitLatencyReader(registry: registry), history: history)),
            ] + extraServices.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
