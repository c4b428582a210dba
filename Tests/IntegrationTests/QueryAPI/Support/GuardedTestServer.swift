import Columnstore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
@testable import QueryAPI

/// The query API's real HTTP server (`QueryServer.makeApplication`: its connection guards and limit,
/// on 127.0.0.1 and an ephemeral port) over routes the test adds, so the guards can be driven without
/// a store: a slow answer, a large one.
enum GuardedTestServer {
    static func with<T: Sendable>(
        configure: (inout QueryConfiguration) -> Void = { _ in },
        routes: (Router<BasicRequestContext>) -> Void = { _ in },
        _ body: @Sendable (_ port: Int) async throws -> T
    ) async throws -> T {
        // The store is never contacted: no route of the test's touches it.
        var configuration = QueryConfiguration(storeKind: .clickhouse, storeDSN: "http://127.0.0.1:9", httpPort: 0, httpHost: "127.0.0.1")
        configure(&configuration)
        var logger = Logger(label: "projection.query.test")
        logger.logLevel = .warning
        let router = Router(context: BasicRequestContext.self)
        router.get("healthz") { _, _ in "ok\n" }
        routes(router)
        return try await QueryAPITestServer.run(router: router, configuration: configuration, logger: logger, body)
    }
}
