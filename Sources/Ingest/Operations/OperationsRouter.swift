import Foundation
import Hummingbird
import Prometheus

/// `/healthz`, `/readyz`, `/metrics` and `/admin/ingestion` on `PORT_HTTP`, and the admin operations
/// (pause, resume, quarantine list and re-drive) behind `PROJECTION_ADMIN_TOKEN`.
enum OperationsRouter {
    static func make(status: IngestStatus, registry: PrometheusCollectorRegistry, admin: (any IngestAdministration)? = nil, adminToken: String? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, _ in
            let snapshot = status.snapshot
            let body = snapshot.isReady ? "ready\n" : "not ready: nats_connected=\(snapshot.natsConnected) consumer_bound=\(snapshot.consumerBound) store_writable=\(snapshot.storeWritable) draining=\(snapshot.draining)\n"
            return Response(status: snapshot.isReady ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("metrics") { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("admin/ingestion") { _, _ in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(status.snapshot)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        if let admin { AdminRoutes(admin: admin, token: adminToken).register(on: router) }
        return router
    }
}
