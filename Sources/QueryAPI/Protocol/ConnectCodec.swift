import Foundation

/// The message codecs of Connect's unary protocol: the proto3 JSON mapping and the protobuf
/// binary format, both driven by the request and response messages of the descriptor set.
enum ConnectCodec: String, Sendable, CaseIterable {
    case json
    case proto

    /// `application/json`, `application/proto`: the unary request and response Content-Type.
    var contentType: String { "application/\(rawValue)" }

    /// Every supported Content-Type, for the 415 answer's `Accept-Post` header.
    static let acceptPost = allCases.map(\.contentType).joined(separator: ", ")

    /// The codec of a POST body's Content-Type. Absent means JSON (what plain HTTP clients such as
    /// scripts send without thinking of it); anything else unsupported is HTTP 415, as the spec says.
    init(contentType header: String?) throws(ConnectError) {
        guard let header else {
            self = .json
            return
        }
        // What clients send, compared as is before the general parse (which allocates per part).
        switch header {
        case "application/json": self = .json; return
        case "application/proto": self = .proto; return
        default: break
        }
        let parts = header.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let mediaType = parts[0].lowercased()
        // `charset=utf-8` is the only parameter allowed, and only for JSON (proto3 JSON is UTF-8).
        let parameters = parts.dropFirst().map { $0.lowercased().replacingOccurrences(of: "\"", with: "") }
        switch mediaType {
        case "application/json" where parameters.allSatisfy({ $0 == "charset=utf-8" }): self = .json
        case "application/proto" where parameters.isEmpty: self = .proto
        default: throw Self.unsupported("content type \(RequestDecoder.printable(header))")
        }
    }

    /// The codec named by a GET request's `encoding` parameter.
    init(getEncoding name: String) throws(ConnectError) {
        guard let codec = ConnectCodec(rawValue: name) else {
            throw Self.unsupported("encoding \(RequestDecoder.printable(name))")
        }
        self = codec
    }

    static func unsupported(_ what: String) -> ConnectError {
        var error = ConnectError(.unimplemented, "unsupported \(what); use application/json or application/proto")
        error.statusOverride = 415
        error.headers = [("Accept-Post", acceptPost)]
        return error
    }
}
