import Foundation

/// What a unary Connect request says about itself besides its message: the codec, the
/// compression of its message, the compression the client accepts and its deadline. Parsed from
/// headers (POST) or the query string (GET), without I/O.
struct ConnectRequestOptions: Sendable, Equatable {
    var codec: ConnectCodec
    var requestCompression: ConnectCompression
    var responseCompression: ConnectCompression
    /// `Connect-Timeout-Ms`: the client's deadline, from the request's arrival.
    var timeout: Duration?

    /// Longest `Connect-Timeout-Ms` value: the spec allows at most 10 digits.
    static let maxTimeoutDigits = 10

    /// A POST request's options from its headers (name → values, names lowercased).
    static func post(headers: (String) -> [String]) throws(ConnectError) -> ConnectRequestOptions {
        try checkProtocolVersion(headers("connect-protocol-version"))
        let contentType = headers("content-type")
        // Two would let this server and a proxy in front of it read different codecs.
        guard contentType.count <= 1 else { throw ConnectError(.invalidArgument, "Content-Type: given more than once") }
        let codec = try ConnectCodec(contentType: contentType.first)
        let encoding = headers("content-encoding")
        guard encoding.count <= 1 else { throw ConnectError(.invalidArgument, "Content-Encoding: given more than once") }
        return ConnectRequestOptions(
            codec: codec,
            requestCompression: try ConnectCompression(requestEncoding: encoding.first),
            responseCompression: ConnectCompression.negotiate(acceptEncoding: headers("accept-encoding")),
            timeout: try timeout(headers("connect-timeout-ms")))
    }

    /// `Connect-Protocol-Version` is optional (plain HTTP clients omit it); when given it must be 1.
    static func checkProtocolVersion(_ values: [String]) throws(ConnectError) {
        guard !values.isEmpty else { return }
        guard values.count == 1, values[0].trimmingCharacters(in: .whitespaces) == "1" else {
            throw ConnectError(.invalidArgument, "Connect-Protocol-Version must be 1, got \(RequestDecoder.printable(values.joined(separator: ",")))")
        }
    }

    /// `Connect-Timeout-Ms`: 1 to 10 ASCII digits; anything else is `invalid_argument`.
    static func timeout(_ values: [String]) throws(ConnectError) -> Duration? {
        guard let text = values.first else { return nil }
        guard values.count == 1, !text.isEmpty, text.utf8.count <= maxTimeoutDigits,
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let ms = Int64(text) else {
            throw ConnectError(.invalidArgument, "Connect-Timeout-Ms must be 1 to \(maxTimeoutDigits) digits, got \(RequestDecoder.printable(values.joined(separator: ",")))")
        }
        return .milliseconds(ms)
    }
}
