import ArgumentParser
import Columnstore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import StoreBackends

/// `projection-query serve` (the default): checks the query files against the proto, then serves.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the query API on PORT_HTTP.",
        discussion: """
        Configured from the environment (and PROJECTION_CONFIG_FILE, a file of NAME=value lines; the environment wins):
        \(QuerySettings.all.helpText)

        See docs/QUERY_API.md and docs/SECURITY.md; every setting: docs/SETTINGS.md.
        """
    )

    func run() async throws {
        // Swift concurrency's jobs run on the server's NIO event loops instead of a pool of their own:
        // a request's task then resumes on the loop that read it and writes its answer there, which
        // saves thread hand-offs on every request (docs/BENCHMARKS.md, "Query API overhead"). Nothing
        // here blocks a concurrency thread: libpq and curl run on their connections' own queues.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        // The access log's timestamps go through glibc's localtime, which stats /etc/localtime on every
        // call while TZ is unset (a system call per request); naming the same file reads it once.
        if getenv("TZ") == nil { setenv("TZ", ":/etc/localtime", 0) }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "projection.query")
        let configuration: QueryConfiguration
        let service: QueryServiceSchema
        let schema: ProjectionSchema
        let catalog: QueryCatalog
        do {
            configuration = try QueryConfiguration(settings: try SettingsSource.fromEnvironment())
            schema = try ProjectionSchema.resolve(descriptorSetPath: configuration.descriptorSetPath, projection: configuration.projection)
            guard let found = schema.queryService else {
                throw QueryCatalogError(.noQueryService, "projection '\(schema.name)' declares no query RPCs")
            }
            service = found
            catalog = try QueryCatalog.load(service: service, store: configuration.storeKind, sqlDirectory: configuration.sqlDirectory)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(2)
        }
        let executor: any QueryExecutor
        do {
            executor = try StoreBackend(kind: configuration.storeKind, dsn: configuration.storeDSN).queryExecutor(limits: configuration.limits)
        } catch {
            logger.critical("PROJECTION_STORE_DSN is invalid: \(error)")
            throw ExitCode(2)
        }
        let registry = PrometheusCollectorRegistry()
        let router = QueryServer.makeRouter(
            service: service, catalog: catalog, executor: executor, configuration: configuration, registry: registry,
            openAPI: OpenAPIGenerator.render(schema: schema, tenantHeader: configuration.tenantHeader),
            logger: Logger(label: "projection.query.access"),
            build: BuildInfo(projection: schema.name, schema: schema, store: configuration.storeKind))
        let app = QueryServer.makeApplication(router: router, configuration: configuration, logger: Logger(label: "projection.query.http"))
        logger.info("starting", metadata: [
            "projection": "\(schema.name)", "store": "\(configuration.storeKind.environmentValue)",
            "port": "\(configuration.httpPort)", "methods": "\(service.methods.map(\.name).joined(separator: ","))",
            "auth": "\(configuration.tokens.isEnabled ? "bearer" : "none")", "multi_tenant": "\(configuration.multiTenant)",
        ])
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        // The store's connections close however the group ends (a failed bind included).
        do {
            try await group.run()
        } catch {
            await executor.shutdown()
            throw error
        }
        await executor.shutdown()
    }
}
