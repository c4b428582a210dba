import Columnstore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
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

    /// Runs the server exactly as `serve` builds it on 127.0.0.1 and an ephemeral port (the live
    /// test framework rebuilds the configuration without its connection limit); `body` gets the port.
    static func withServer<T: Sendable>(
        _ fixture: QueryStoreFixture,
        configure: (inout QueryConfiguration) -> Void = { _ in },
        _ body: @Sendable (_ port: Int) async throws -> T
    ) async throws -> T {
        var configuration = QueryConfiguration(
            storeKind: fixture.store, storeDSN: fixture.readerDSN, httpPort: 0, httpHost: "127.0.0.1", sqlDirectory: QueryStoreFixture.sqlDirectory)
        configure(&configuration)
        var logger = Logger(label: "projection.query.test")
        logger.logLevel = .warning
        let router = QueryServer.makeRouter(
            service: QueryStoreFixture.service, catalog: fixture.catalog, executor: fixture.executor,
            configuration: configuration, registry: PrometheusCollectorRegistry(),
            openAPI: OpenAPIGenerator.render(schema: QueryStoreFixture.schema), logger: logger)
        return try await run(router: router, configuration: configuration, logger: logger, body)
    }

    /// Runs `router` behind `QueryServer.makeApplication` (its guards and limits) on the configured host
    /// and an ephemeral port until `body`, given the port, returns; then shuts the server down.
    static func run<T: Sendable>(
        router: Router<BasicRequestContext>, configuration: QueryConfiguration, logger: Logger,
        _ body: @Sendable (_ port: Int) async throws -> T
    ) async throws -> T {
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = QueryServer.makeApplication(router: router, configuration: configuration, logger: logger) { channel in
            portSink.yield(channel.localAddress?.port ?? 0)
            portSink.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body(port)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
