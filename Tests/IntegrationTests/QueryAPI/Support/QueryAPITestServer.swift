import Columnstore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
@testable import QueryAPI

/// Runs the real query API router in-process over a fixture store.
enum QueryAPITestServer {
    static let servicePath = "/orders.analytics.v1.OrdersAnalyticsQuery"

    /// Builds the app with the default configuration (tweaked by `configure`) and runs `body`;
    /// `catalog` replaces the fixture's (to make a method slow).
    static func with<T: Sendable>(
        _ fixture: QueryStoreFixture,
        catalog: QueryCatalog? = nil,
        configure: (inout QueryConfiguration) -> Void = { _ in },
        _ body: @Sendable (QueryAPICaller) async throws -> T
    ) async throws -> T {
        var configuration = QueryConfiguration(storeKind: fixture.store, storeDSN: fixture.readerDSN, sqlDirectory: QueryStoreFixture.sqlDirectory)
        configure(&configuration)
        let registry = PrometheusCollectorRegistry()
        var logger = Logger(label: "projection.query.test")
        logger.logLevel = .warning
        let router = QueryServer.makeRouter(
            service: QueryStoreFixture.service, catalog: catalog ?? fixture.catalog, executor: fixture.executor,
            configuration: configuration, registry: registry,
            openAPI: OpenAPIGenerator.render(schema: QueryStoreFixture.schema), logger: logger)
        let app = Application(router: router, logger: logger)
        return try await app.test(.router) { client in
            try await body(QueryAPICaller(client: client))
        }
    }

    /// Creates a fixture, runs `body`, and always drops the fixture.
    static func withFixture<T>(_ store: StoreKind, limits: QueryLimits? = nil, _ body: (QueryStoreFixture) async throws -> T) async throws -> T {
        let fixture = limits.map { _ in () } == nil ? try await QueryStoreFixture.make(store) : try await QueryStoreFixture.make(store, limits: limits!)
        do {
            let result = try await body(fixture)
            await fixture.tearDown()
            return result
        } catch {
            await fixture.tearDown()
            throw error
        }
    }
}

/// One answer: HTTP status, parsed JSON body (nil if not JSON) and raw body text.
struct QueryAPIAnswer: Sendable {
    var status: Int
    var json: JSONValue?
    var text: String

    /// The Connect error code, for error answers.
    var code: String? {
        if case .string(let code)? = json?["code"] { return code }
        return nil
    }

    var message: String {
        if case .string(let message)? = json?["message"] { return message }
        return ""
    }
}

/// Sends requests to the in-process router.
struct QueryAPICaller: Sendable {
    let client: any TestClientProtocol

    func call(
        _ method: String, tenant: String? = "acme", body: String = "{}", httpMethod: HTTPRequest.Method = .post,
        query: String? = nil, headers extra: [(String, String)] = []
    ) async throws -> QueryAPIAnswer {
        var uri = method.hasPrefix("/") ? method : "\(QueryAPITestServer.servicePath)/\(method)"
        if let query { uri += "?" + query }
        return try await raw(uri: uri, tenant: tenant, body: httpMethod == .get ? nil : body, httpMethod: httpMethod, headers: extra)
    }

    func raw(uri: String, tenant: String?, body: String?, httpMethod: HTTPRequest.Method, headers extra: [(String, String)] = []) async throws -> QueryAPIAnswer {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let tenant { headers.append(HTTPField(name: HTTPField.Name("x-tenant-id")!, value: tenant)) }
        for (name, value) in extra { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        let response = try await client.execute(uri: uri, method: httpMethod, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        return QueryAPIAnswer(status: Int(response.status.code), json: try? JSONParser.parse(text), text: text)
    }
}
