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
