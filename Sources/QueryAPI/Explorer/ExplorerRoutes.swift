import Columnstore
import HTTPGuards
import Hummingbird

/// The query explorer on the query port: `GET /explorer` (the page) and `GET /explorer/catalog.json`
/// (what it builds its forms from). Neither holds data: queries go through the RPC routes with the
/// tenant and token the user enters, so they are checked like any other client's.
struct ExplorerRoutes: Sendable {
    let catalog: String

    init(service: QueryServiceSchema, configuration: QueryConfiguration) {
        catalog = JSONWriter.write(ExplorerCatalog.document(
            service: service, tenantHeader: configuration.tenantHeader, multiTenant: configuration.multiTenant,
            tokensRequired: configuration.tokens.isEnabled))
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("explorer") { _, _ in SelfContainedPage.response(ExplorerPage.html) }
        router.get("explorer/catalog.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: catalog)))
        }
    }
}
