import Foundation
import Hummingbird

/// `/healthz`, `/readyz`, `/metrics` and `/version`, the same on both servers: only what readiness means
/// and where the metrics come from differ.
public struct ProbeRoutes: Sendable {
    /// Ready, or why not (the text of the 503).
    public typealias Readiness = @Sendable () async -> (ready: Bool, detail: String)

    let readiness: Readiness
    let emitMetrics: @Sendable (inout [UInt8]) -> Void
    let versionJSON: Data?

    /// - Parameters:
    ///   - emitMetrics: writes the Prometheus text exposition (e.g. `PrometheusCollectorRegistry.emit`).
    ///   - versionJSON: the body of `/version` (the build identity), when there is one.
    public init(readiness: @escaping Readiness, emitMetrics: @escaping @Sendable (inout [UInt8]) -> Void, versionJSON: Data?) {
        self.readiness = readiness
        self.emitMetrics = emitMetrics
        self.versionJSON = versionJSON
    }

    public func register(on router: Router<BasicRequestContext>) {
        router.get("healthz") { _, _ in Self.text("ok\n", status: .ok) }
        if let versionJSON {
            router.get("version") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: versionJSON)))
            }
        }
        let readiness = readiness
        router.get("readyz") { _, _ in
            let (ready, detail) = await readiness()
            return ready ? Self.text("ready\n", status: .ok) : Self.text("not ready: \(detail)\n", status: .serviceUnavailable)
        }
        let emitMetrics = emitMetrics
        router.get("metrics") { _, _ in
            var buffer: [UInt8] = []
            emitMetrics(&buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    static func text(_ body: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
