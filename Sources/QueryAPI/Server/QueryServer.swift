import Columnstore
import HTTPGuards
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus

/// Builds the query API's router: one POST and GET route per RPC at `/<package>.<Service>/<Method>`,
/// plus `/healthz`, `/readyz`, `/metrics`, `/openapi.json` and the query explorer (`/explorer`).
enum QueryServer {
    static func makeRouter(
        service: QueryServiceSchema, catalog: QueryCatalog, executor: any QueryExecutor,
        configuration: QueryConfiguration, registry: PrometheusCollectorRegistry, openAPI: String, logger: Logger,
        build: BuildInfo? = nil
    ) -> Router<BasicRequestContext> {
        let access = AccessPolicy(configuration: configuration)
        let handler = QueryHandler(
            catalog: catalog, executor: executor, access: access, maxBodyBytes: configuration.maxBodyBytes,
            bodyReadTimeout: configuration.readTimeout, limiter: ConcurrencyLimiter(
                limit: configuration.maxConcurrency,
                perTenant: configuration.multiTenant ? configuration.maxConcurrencyPerTenant : configuration.maxConcurrency))
        var routes: [String: String] = [:]
        for method in service.methods { routes[routePath(service: service, method: method)] = method.name }

        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ConnectMiddleware<BasicRequestContext>(
            routes: routes, metrics: QueryMetrics(registry: registry), logger: logger, tenantHeader: access.tenantHeader))
        for method in service.methods {
            let path = RouterPath(routePath(service: service, method: method))
            router.post(path) { request, _ in try await handler.handle(method, request: request) }
            router.get(path) { request, _ in try await handler.handle(method, request: request) }
        }
        if let build { registry.makeGauge(descriptor: QueryMetrics.descriptor("projection_build_info"), labels: build.metricDimensions).set(to: 1.0) }
        // One store round trip at a time and per second, however many probes come.
        let readiness = SharedReadiness {
            do {
                try await executor.checkReachable()
                return (true, "")
            } catch {
                logger.warning("store not reachable", metadata: ["error": "\(error)"])
                return (false, "the store is not reachable")
            }
        }
        ProbeRoutes(readiness: { await readiness.current() }, emitMetrics: { registry.emit(into: &$0) }, versionJSON: build?.json()).register(on: router)
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: openAPI)))
        }
        ExplorerRoutes(service: service, configuration: configuration).register(on: router)
        return router
    }

    /// The HTTP/1 server with the connection limits: the idle timeout closes connections that send
    /// nothing (idle, or stalled mid-headers or mid-body), the read timeout those that send no head or
    /// trickle one in, and those whose answers stall unwritten (`GuardedHTTP1`); a body has the read
    /// timeout too; at most `maxConnections` are accepted.
    static func makeApplication(
        router: Router<BasicRequestContext>, configuration: QueryConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router,
            server: GuardedHTTP1.server(readTimeout: configuration.readTimeout, idleTimeout: configuration.idleTimeout, bodyReadTimeout: configuration.readTimeout),
            configuration: .init(
                address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "projection-query",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
            onServerRunning: onServerRunning,
            logger: logger)
    }

    /// `/orders.analytics.v1.OrdersAnalyticsQuery/GetDailySales`.
    static func routePath(service: QueryServiceSchema, method: QueryMethodSchema) -> String {
        "/\(service.fullName)/\(method.name)"
    }
}
