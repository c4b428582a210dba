import Foundation

/// A unary call in Connect's GET form: `?connect=v1&encoding=json|proto&message=…[&base64=1]
/// [&compression=gzip]`. The request's other options (Accept-Encoding, the deadline) come from
/// headers as for POST.
struct ConnectGetRequest: Sendable, Equatable {
    var codec: ConnectCodec
    var compression: ConnectCompression
    /// The (still compressed) message bytes.
    var message: [UInt8]

    /// The query parameters the GET form uses; any other is ignored (caches and proxies add some).
    static let parameterNames: Set<String> = ["connect", "encoding", "message", "base64", "compression"]

    /// Whether a query string is in the Connect GET form (else it is one item per request field).
    static func isConnectForm(query: String) -> Bool {
        query.split(separator: "&").contains { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return name == "encoding" || name == "message"
        }
    }

    /// Parses the GET form's parameters from the raw query string, with the spec's answers: an
    /// unsupported `encoding` is HTTP 415, an unsupported `compression` `unimplemented`, anything
    /// else malformed `invalid_argument`. Without `base64=1` (any other value is ignored, as the spec
    /// says) the message is the percent-decoded bytes.
    static func parse(query: String) throws(ConnectError) -> ConnectGetRequest {
        var given: [String: [UInt8]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let nameBytes = percentDecoded(parts[0]), let value = percentDecoded(parts.count > 1 ? parts[1] : "") else {
                throw ConnectError(.invalidArgument, "query string: invalid percent-encoding")
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard parameterNames.contains(name) else { continue }
            guard given[name] == nil else { throw ConnectError(.invalidArgument, "query string: '\(name)' given twice") }
            given[name] = value
        }
        func text(_ name: String) -> String? { given[name].map { String(decoding: $0, as: UTF8.self) } }
        if let version = text("connect"), version != "v1" {
            throw ConnectError(.invalidArgument, "query string: connect must be v1, got \(RequestDecoder.printable(version))")
        }
        guard let encoding = text("encoding") else {
            throw ConnectError(.invalidArgument, "query string: encoding is required (json or proto)")
        }
        let codec = try ConnectCodec(getEncoding: encoding)
        let compression = try ConnectCompression(requestEncoding: text("compression"))
        let raw = given["message"] ?? []
        let message: [UInt8]
        // Only `base64=1` means base64; the spec says other values "will simply be ignored".
        if text("base64") == "1" {
            guard let decoded = base64URL(String(decoding: raw, as: UTF8.self)) else {
                throw ConnectError(.invalidArgument, "query string: message is not valid base64")
            }
            message = decoded
        } else {
            message = raw
        }
        return ConnectGetRequest(codec: codec, compression: compression, message: message)
    }

    /// `application/x-www-form-urlencoded` bytes: `+` is a space, `%XX` a byte; nil for a bad escape.
    static func percentDecoded(_ text: Substring) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        func hex(_ c: UInt8?) -> UInt8? {
            switch c {
            case (UInt8(ascii: "0")...UInt8(ascii: "9"))?: return c! - UInt8(ascii: "0")
            case (UInt8(ascii: "a")...UInt8(ascii: "f"))?: return c! - UInt8(ascii: "a") + 10
            case (UInt8(ascii: "A")...UInt8(ascii: "F"))?: return c! - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): result.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = hex(iterator.next()), let low = hex(iterator.next()) else { return nil }
                result.append(high << 4 | low)
            default: result.append(byte)
            }
        }
        return result
    }

    /// URL-safe base64 as the spec asks (padding optional); the standard alphabet is accepted too.
    static func base64URL(_ text: String) -> [UInt8]? {
        Base64.decode(text)
    }
}
