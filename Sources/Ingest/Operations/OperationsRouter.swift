import Columnstore
import Foundation
import HTTPGuards
import Hummingbird
import Prometheus

/// `/healthz`, `/readyz`, `/metrics` and `/admin/ingestion` on `PORT_HTTP`, and the admin operations
/// (pause, resume, quarantine list and re-drive) behind `PROJECTION_ADMIN_TOKEN`.
enum OperationsRouter {
    static func make(status: any IngestStatusReporting, registry: PrometheusCollectorRegistry, build: BuildInfo? = nil, admin: (any IngestAdministration)? = nil,
                     adminToken: String? = nil, stateHash: StateHashRoutes? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        ProbeRoutes(readiness: { (status.isReady, status.readinessDetail) }, emitMetrics: { registry.emit(into: &$0) }, versionJSON: build?.json())
            .register(on: router)
        router.get("admin/ingestion") { request, _ in
            var data = try status.ingestionJSON()
            // The status is for probes and dashboards without a token; an error's text can quote fact
            // values (a store's refusal, a bad value), so only the admin token sees it whole.
            if (try? AdminToken(adminToken).authorize(request)) == nil { data = LastErrorRedaction.redacted(data) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        if let admin { AdminRoutes(admin: admin, token: adminToken).register(on: router) }
        stateHash?.register(on: router)
        return router
    }
}
