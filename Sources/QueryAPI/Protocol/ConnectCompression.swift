import Foundation
import ClickHouseHTTP

/// Compression of unary messages: the request's `Content-Encoding` (or a GET's `compression`
/// parameter) and the response's, negotiated from `Accept-Encoding`.
enum ConnectCompression: String, Sendable, CaseIterable {
    case identity
    case gzip

    /// Listed in the `Accept-Encoding` header of an `unimplemented` answer, as the spec asks.
    static let supported = "gzip, identity"

    /// Responses smaller than this are sent uncompressed: gzip's header and trailer (18 bytes) and
    /// the CPU cost outweigh the saving on small messages (connect-go uses the same threshold).
    static let minResponseBytes = 1024

    /// The compression a request names; an unknown one is `unimplemented`.
    init(requestEncoding name: String?) throws(ConnectError) {
        let trimmed = name?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if trimmed.isEmpty {
            self = .identity
            return
        }
        guard let compression = ConnectCompression(rawValue: trimmed) else {
            var error = ConnectError(.unimplemented, "unsupported compression \(RequestDecoder.printable(trimmed)); supported: \(Self.supported)")
            error.headers = [("Accept-Encoding", Self.supported)]
            throw error
        }
        self = compression
    }

    /// gzip when the client accepts it (`Accept-Encoding: gzip`, `gzip;q=0.5`, `*`), else identity.
    /// An explicit `gzip;q=0` wins over `*` (RFC 9110: `*` matches only codings not listed).
    static func negotiate(acceptEncoding values: [String]) -> ConnectCompression {
        var gzip: Bool?, any: Bool?
        for value in values {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let name = parts.first, name == "gzip" || name == "*" else { continue }
                let accepted = !parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "").range(of: #"^q=0(\.0*)?$"#, options: .regularExpression) != nil }
                // A coding listed twice counts as refused if any listing refuses it.
                if name == "gzip" { gzip = (gzip ?? true) && accepted } else { any = (any ?? true) && accepted }
            }
        }
        return (gzip ?? any ?? false) ? .gzip : .identity
    }

    /// The message inside a (possibly compressed) body, at most `maxBytes` once decompressed.
    func decompress(_ body: [UInt8], maxBytes: Int) throws(ConnectError) -> [UInt8] {
        guard self == .gzip, !body.isEmpty else { return body }
        do {
            return try Gzip.decompress(body, maxBytes: maxBytes)
        } catch .tooLarge {
            throw ConnectError(.resourceExhausted, "request body: larger than \(maxBytes) bytes once decompressed")
        } catch {
            throw ConnectError(.invalidArgument, "request body: invalid gzip data")
        }
    }

    /// The body to send, and whether it was compressed.
    func compress(_ message: [UInt8]) -> (body: [UInt8], compressed: Bool) {
        guard self == .gzip, message.count >= Self.minResponseBytes, let body = Gzip.compress(message) else {
            return (message, false)
        }
        return (body, true)
    }
}
