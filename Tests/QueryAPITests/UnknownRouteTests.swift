import Hummingbird
@testable import QueryAPI
import Testing

/// How the middleware answers a request the router has no route for.
@Suite("Unknown routes")
struct UnknownRouteTests {
    typealias Middleware = ConnectMiddleware<BasicRequestContext>

    @Test("procedure-shaped paths are /<service>/<method>: two non-empty segments, no dot in the method", arguments: [
        ("/orders.analytics.v1.OrdersAnalyticsQuery/GetNothing", true),
        ("/other.v1.Service/GetOrder", true),
        ("/Service/Method", true),
        ("/", false),
        ("/explorer/catalog.json", false),
        ("/orders.analytics.v1.OrdersAnalyticsQuery", false),
        ("/orders.analytics.v1.OrdersAnalyticsQuery/GetOrder/extra", false),
        ("/svc/GetOrder/", false),
        ("//svc/GetOrder", false),
        ("/svc//GetOrder", false),
        ("svc/GetOrder", false),
    ])
    func procedurePaths(path: String, isProcedure: Bool) {
        #expect(Middleware.isProcedurePath(path) == isProcedure)
    }

    @Test("an unknown procedure (or a known one with another HTTP verb) is unimplemented with status 404; another path not_found")
    func codes() {
        for status in [HTTPResponse.Status.notFound, .methodNotAllowed] {
            let procedure = Middleware.connectError(HTTPError(status), procedurePath: true)
            #expect(procedure.code == .unimplemented)
            #expect(procedure.httpStatus == 404)
            #expect(procedure.json == .object([("code", .string("unimplemented")), ("message", .string("no such method or endpoint"))]))
            let page = Middleware.connectError(HTTPError(status), procedurePath: false)
            #expect(page.code == .notFound && page.httpStatus == 404)
        }
        // Other router failures keep their codes.
        #expect(Middleware.connectError(HTTPError(.contentTooLarge), procedurePath: true).code == .resourceExhausted)
    }
}
