import Columnstore
import Hummingbird
import StoreBackends

/// `GET /admin/hash?table=&tenant=`: the projection's state hash, the same JSON as
/// `projection-migrate hash --json`. Read-only but reads every row, hence behind the admin token. Served
/// in replica mode too: the hash is of the tables, not of one consumer.
struct StateHashRoutes: Sendable {
    let token: AdminToken
    let backend: StoreBackend
    let schema: ProjectionSchema

    func register(on router: Router<BasicRequestContext>) {
        router.get("admin/hash") { request, _ in
            try token.authorize(request)
            let query = request.uri.queryParameters
            let table = query.get("table"), tenant = query.get("tenant")
            if let table, !schema.tables.contains(where: { $0.name == table }) {
                throw HTTPError(.badRequest, message: "table: unknown table \(AdminRoutes.printable(table)); known: \(schema.tables.map(\.name).joined(separator: ", "))")
            }
            if let tenant, tenant.isEmpty { throw HTTPError(.badRequest, message: "tenant: must not be empty") }
            let report = try await backend.stateHashReport(schema: schema, table: table, tenant: tenant)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: report.json)))
        }
    }
}
