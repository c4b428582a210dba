import Foundation
import HTTPGuards
import HTTPTypes
import Hummingbird

/// The bearer token every admin endpoint but `/admin/ingestion` requires. Without a configured token
/// they answer 403, so an operator cannot expose them by accident.
struct AdminToken: Sendable {
    let token: String?

    init(_ token: String?) {
        self.token = token
    }

    /// `authorize`, and for a change (a POST) no sign of a cross-site browser request. The token travels in
    /// `Authorization`, which a page on another site cannot set without a preflight that fails; but behind a
    /// proxy that adds the token for logged-in operators, a plain HTML form could post. Forms can only send
    /// the CORS-safelisted types (form-urlencoded, multipart, text/plain): those are refused, and so is a
    /// request the browser marks `Sec-Fetch-Site: cross-site`.
    func authorizeChange(_ request: Request) throws {
        try authorize(request)
        if let site = request.headers[Self.secFetchSite], site.lowercased() == "cross-site" {
            throw HTTPError(.forbidden, message: "admin changes are not taken from cross-site browser requests")
        }
        if let type = request.headers[.contentType] {
            let media = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            if ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"].contains(media) {
                throw HTTPError(.unsupportedMediaType, message: "admin changes take a JSON body (Content-Type: application/json) or none; form types are refused (a cross-site page can send them)")
            }
        }
    }

    static let secFetchSite = HTTPField.Name("sec-fetch-site")!

    func authorize(_ request: Request) throws {
        guard let token else {
            throw HTTPError(.forbidden, message: "admin operations are disabled: set PROJECTION_ADMIN_TOKEN")
        }
        // Read as the query API and the ingress read it (`BearerToken`).
        guard let presented = BearerToken.parse(request.headers[.authorization]),
              Self.constantTimeEqual(Array(presented.utf8), Array(token.utf8)) else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "Authorization: a valid admin bearer token is required")
        }
    }

    /// Compares without an early exit, so response time does not reveal how much of a guess was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
