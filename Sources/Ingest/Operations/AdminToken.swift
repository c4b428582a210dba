import Hummingbird

/// The bearer token every admin endpoint but `/admin/ingestion` requires. Without a configured token
/// they answer 403, so an operator cannot expose them by accident.
struct AdminToken: Sendable {
    let token: String?

    init(_ token: String?) {
        self.token = token
    }

    func authorize(_ request: Request) throws {
        guard let token else {
            throw HTTPError(.forbidden, message: "admin operations are disabled: set PROJECTION_ADMIN_TOKEN")
        }
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), Array(token.utf8)) else {
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
