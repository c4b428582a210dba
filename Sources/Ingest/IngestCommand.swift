import Foundation
import ArgumentParser
import Columnstore
import HTTPGuards
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals
import StoreBackends

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
        let backend: StoreBackend
        do {
            configuration = try parsed.get()
            schema = try ProjectionSchema.resolve(descriptorSetPath: configuration.descriptorSetPath, projection: configuration.projection)
                .withTableSuffix(configuration.tableSuffix)
            backend = try StoreBackend(kind: configuration.storeKind, dsn: configuration.storeDSN)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(2)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(IngestMetrics.factory(registry: registry))
        let build = BuildInfo(projection: configuration.projection, schema: schema, store: configuration.storeKind)
        Gauge(label: "projection_build_info", dimensions: build.metricDimensions).record(1)
        if configuration.partitions != nil {
            try await runReplica(backend, configuration: configuration, schema: schema, build: build, registry: registry, logger: logger)
            return
        }
        let status = IngestStatus(freshness: configuration.freshness)
        logger.info("starting", metadata: [
            "projection": "\(configuration.projection)", "store": "\(configuration.storeKind.environmentValue)",
            "stream": "\(configuration.stream)", "durable": "\(configuration.durable)", "port": "\(configuration.httpPort)",
        ])
        let single = SingleConsumer(backend: backend, configuration: configuration, schema: schema, build: build, status: status, registry: registry, logger: logger)
        try await backend.withProjectionStore(schema: schema, options: .init(timeout: configuration.storeTimeout, logger: logger), single)
    }

    /// Replica mode: a `PartitionCoordinator` takes partition leases and runs a pipeline per partition.
    /// The pause/resume/reload/quarantine admin operations act on one consumer and are not served here.
    private func runReplica(_ backend: StoreBackend, configuration: IngestConfiguration, schema: ProjectionSchema, build: BuildInfo, registry: PrometheusCollectorRegistry, logger: Logger) async throws {
        let status = ReplicaStatus(replica: configuration.replicaID, partitionCount: configuration.partitions ?? 1)
        logger.info("starting replica", metadata: [
            "projection": "\(configuration.projection)", "store": "\(configuration.storeKind.environmentValue)",
            "replica": "\(configuration.replicaID)", "partitions": "\(configuration.partitions ?? 1)",
            "stream": "\(configuration.stream)", "lease_bucket": "\(configuration.leaseBucket)", "port": "\(configuration.httpPort)",
        ])
        // Postgres: a replica frozen mid-transaction would hold its partition's checkpoint row lock for the
        // whole freeze; the server ends such a transaction after one lease TTL, so a new owner waits at most that.
        let options = ProjectionStoreOptions(timeout: configuration.storeTimeout, idleTransactionTimeout: configuration.lease.ttl, logger: logger)
        let coordinator = try await backend.withProjectionStore(schema: schema, options: options, ReplicaCoordinator(configuration: configuration, schema: schema, status: status, logger: logger))
        try await Self.serve(coordinator, status: status, router: OperationsRouter.make(status: status, registry: registry, build: build, stateHash: Self.stateHashRoutes(configuration, backend: backend, schema: schema)),
                             configuration: configuration, logger: logger, registry: registry)
    }

    static func stateHashRoutes(_ configuration: IngestConfiguration, backend: StoreBackend, schema: ProjectionSchema) -> StateHashRoutes {
        StateHashRoutes(token: AdminToken(configuration.adminToken), backend: backend, schema: schema)
    }

    static func runServices<Store: ProjectionStore>(
        _ pipeline: IngestPipeline<Store, JetStreamSource>, backend: StoreBackend, configuration: IngestConfiguration, schema: ProjectionSchema, build: BuildInfo, status: IngestStatus, registry: PrometheusCollectorRegistry, logger: Logger
    ) async throws {
        let router = OperationsRouter.make(status: status, registry: registry, build: build, admin: pipeline, adminToken: configuration.adminToken,
                                           stateHash: Self.stateHashRoutes(configuration, backend: backend, schema: schema))
        var extra: [any Service] = []
        if let ingress = configuration.ingress {
            // The HTTP push ingress (PROJECTION_INGRESS): POST /events publishes to the stream this pipeline reads.
            let link = IngressLink(url: ingress.natsURL, projection: configuration.projection, publishTimeout: ingress.publishTimeout,
                                   logger: Logger(label: "projection.ingest.ingress"))
            IngressRoutes(settings: ingress, link: link, status: status, logger: Logger(label: "projection.ingest.ingress"),
                          metrics: IngressMetrics(projection: configuration.projection)).register(on: router)
            extra.append(link)
        }
        try await Self.serve(SpecializedService(pipeline), status: status, router: router, configuration: configuration, logger: logger,
                             registry: registry, skipping: pipeline, extraServices: extra)
    }

    /// Runs the ingest service beside the HTTP endpoints; SIGTERM/SIGINT drain it, and its end ends both.
    static func serve(_ ingest: any Service, status: any IngestStatusReporting, router: Router<BasicRequestContext>, configuration: IngestConfiguration, logger: Logger,
                              registry: PrometheusCollectorRegistry, skipping: (any QuarantineSkipping)? = nil, extraServices: [any Service] = []) async throws {
        // The operator console (GET /console) and its once-a-second history.
        let history = IngestionHistory()
        ConsoleRoutes(history: history, skipping: skipping, token: configuration.adminToken).register(on: router)
        let httpLogger = Logger(label: "projection.ingest.http")
        // Idle or stalled connections are closed, headers (and bodies) that trickle in past the read timeout
        // too, and answers that cannot be written for that long, and their number is bounded, so clients
        // that open connections and send or read little cannot pile up. The ingress has its own body
        // deadline with its own 408 (PROJECTION_INGRESS_BODY_TIMEOUT_MS): the general one never comes first.
        let bodyReadTimeout = max(configuration.httpReadTimeout, configuration.ingress?.bodyTimeout ?? .zero)
        let app = Application(
            router: router,
            server: GuardedHTTP1.server(readTimeout: configuration.httpReadTimeout, idleTimeout: configuration.httpIdleTimeout,
                                        bodyReadTimeout: bodyReadTimeout),
            configuration: .init(
                address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "projection-ingest",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.httpMaxConnections, logger: httpLogger)),
            logger: httpLogger)
        // A group shuts its services down last first: the HTTP server stops taking requests (and finishes
        // those it has) before the extra services (the ingress's NATS link) close, so no accepted event
        // meets a closing link.
        let group = ServiceGroup(configuration: .init(
            services: [Self.ingestService(ingest)] + extraServices.map { .init(service: $0) } + [
                .init(service: app),
                .init(service: FreshnessWatch(status: status, projection: configuration.projection, logger: logger)),
                .init(service: IngestionHistorySampler(status: status, latency: CommitLatencyReader(registry: registry), history: history)),
            ],
            gracefulShutdownSignals: Self.shutdownSignals,
            logger: logger))
        try await group.run()
    }

    /// The signals that drain the ingest.
    static let shutdownSignals: [UnixSignal] = [.sigterm, .sigint]

    /// The ingest's place in its ServiceGroup: its end, drained or failed, shuts the others down.
    static func ingestService(_ ingest: any Service) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: ingest, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
    }
}
