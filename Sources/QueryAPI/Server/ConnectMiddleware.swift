import Columnstore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Outermost middleware: renders every failure as a Connect error (no HTML, no 5xx for client
/// mistakes), records metrics and writes one structured access-log line per request. Logs hold
/// no tokens, bodies or parameter values.
struct ConnectMiddleware<Context: RequestContext>: RouterMiddleware {
    /// RPC route path → RPC name (metric label); other paths are labelled by kind.
    let routes: [String: String]
    let metrics: QueryMetrics
    let logger: Logger
    let tenantHeader: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let rpc = routes[request.uri.path]
        var response: Response
        var code = "ok"
        var detail: String?
        do {
            // The router ignores empty segments, so `/svc/Method/` and `//svc//Method` would reach
            // the RPC unlogged and uncounted; only the canonical spelling is served.
            guard rpc != nil || Self.isCanonical(request.uri.path) else {
                throw ConnectError(.notFound, "no such method or endpoint")
            }
            response = try await next(request, context)
        } catch {
            let connect = Self.connectError(error, procedurePath: rpc != nil || Self.isProcedurePath(request.uri.path))
            code = connect.code.name
            detail = connect.detail
            response = QueryHandler.json(connect.json, status: .init(code: connect.httpStatus))
            for (name, value) in connect.headers {
                if let field = HTTPField.Name(name) { response.headers[field] = value }
            }
        }
        if rpc != nil {
            // An answer is one tenant's (chosen by a header, or by the token): a shared cache must not
            // serve it to another, so it is private and varies on both (GET answers are cacheable).
            response.headers[.cacheControl] = "private"
            response.headers[QueryHandler.vary] = "Accept-Encoding, Authorization, \(tenantHeader)"
        }
        let duration = ContinuousClock.now - start
        let unrouted = code == "not_found" || (code == "unimplemented" && response.status.code == 404)
        let label = rpc ?? (unrouted ? "unknown" : nil)
        if let label { metrics.record(method: label, code: code, duration: duration) }

        var metadata: Logger.Metadata = [
            "http.method": "\(request.method.rawValue)",
            "http.path": "\(rpc.map { _ in request.uri.path } ?? Self.printable(request.uri.path))",
            "http.status": "\(response.status.code)",
            "code": "\(code)",
            "duration_ms": "\(Self.milliseconds(duration))",
        ]
        if let rpc { metadata["rpc"] = "\(rpc)" }
        if let tenant = AccessPolicy.values(of: tenantHeader, in: request.headers).first { metadata["tenant"] = "\(Self.printable(tenant))" }
        if let detail { metadata["error.detail"] = "\(detail)" }
        let level: Logger.Level = response.status.code >= 500 ? .error : (rpc == nil && code == "ok" ? .debug : .info)
        logger.log(level: level, "request", metadata: metadata)
        return response
    }

    /// `procedurePath`: the path has a Connect procedure's shape (`/<service>/<method>`), so an
    /// unroutable request there is an unknown procedure, not an unknown page.
    static func connectError(_ error: any Error, procedurePath: Bool = false) -> ConnectError {
        switch error {
        case let error as ConnectError:
            return error
        case let error as QueryError:
            return ConnectError(error)
        case let error as HTTPError:
            switch error.status.code {
            case 404, 405: return procedurePath ? unknownProcedure() : ConnectError(.notFound, "no such method or endpoint")
            case 413: return ConnectError(.resourceExhausted, "request body: too large")
            case 400..<500: return ConnectError(.invalidArgument, "bad request")
            default: return ConnectError(.internal, "internal error", detail: "\(error)")
            }
        default:
            return ConnectError(.internal, "internal error", detail: "\(error)")
        }
    }

    /// The Connect spec maps an unknown procedure to `unimplemented`; the status stays 404, as
    /// connect-go answers (clients read a 404 as `unimplemented` too).
    static func unknownProcedure() -> ConnectError {
        var error = ConnectError(.unimplemented, "no such method or endpoint")
        error.statusOverride = 404
        return error
    }

    /// `/<service>/<method>`: two non-empty segments, the form every Connect procedure path has (a
    /// method name has no `.`, so `/explorer/catalog.json` stays a page).
    static func isProcedurePath(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return segments.count == 3 && segments[0].isEmpty && !segments[1].isEmpty && !segments[2].isEmpty && !segments[2].contains(".")
    }

    /// `duration` in milliseconds with two decimals (`12.34`), without Foundation's `String(format:)`,
    /// which cost more than the rest of the access-log line.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        // Hundredths of a millisecond, rounded half up.
        let hundredths = max(0, seconds) * 100_000 + (max(0, attoseconds) + 5_000_000_000_000) / 10_000_000_000_000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// No empty segment (`//`) and no trailing slash, except the root `/`.
    static func isCanonical(_ path: String) -> Bool {
        path == "/" || (path.hasPrefix("/") && !path.hasSuffix("/") && !path.contains("//"))
    }

    /// A client-supplied value fit for a log line: printable and short.
    static func printable(_ text: String) -> String {
        // The usual value (a tenant id, a path) is short printable ASCII: kept as it is.
        if text.utf8.count <= 128, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(128)))
    }
}
