import Columnstore
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
@testable import QueryAPI

extension QueryAPITestServer {
    /// Runs the real server (`QueryServer.makeApplication`: timeouts and connection limit
    /// included) on an ephemeral localhost port; `body` gets the port and a client on it.
    static func withLive<T: Sendable>(
        _ fixture: QueryStoreFixture,
        configure: (inout QueryConfiguration) -> Void = { _ in },
        _ body: @Sendable (_ port: Int, _ api: QueryAPICaller) async throws -> T
    ) async throws -> T {
        var configuration = QueryConfiguration(storeKind: fixture.store, storeDSN: fixture.readerDSN, sqlDirectory: QueryStoreFixture.sqlDirectory)
        configure(&configuration)
        var logger = Logger(label: "projection.query.test")
        logger.logLevel = .warning
        let router = QueryServer.makeRouter(
            service: QueryStoreFixture.service, catalog: fixture.catalog, executor: fixture.executor,
            configuration: configuration, registry: PrometheusCollectorRegistry(),
            openAPI: OpenAPIGenerator.render(schema: QueryStoreFixture.schema), logger: logger)
        let app = QueryServer.makeApplication(router: router, configuration: configuration, logger: logger)
        return try await app.test(.live) { client in
            try await body(client.port!, QueryAPICaller(client: client))
        }
    }
}
