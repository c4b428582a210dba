import Columnstore

/// The query parameters of Connect's GET form, as the OpenAPI document describes them.
struct ConnectGetParameter {
    var name: String
    var description: String
    var schema: JSONValue

    /// Component name, e.g. `getEncoding`.
    var component: String { "get" + name.prefix(1).uppercased() + name.dropFirst() }

    var document: JSONValue {
        .object([("name", .string(name)), ("in", .string("query")), ("required", .bool(false)),
                 ("description", .string(description)), ("schema", schema)])
    }

    static let all: [ConnectGetParameter] = [
        ConnectGetParameter(name: "connect", description: "Connect GET form: protocol version, v1 when given.",
                            schema: .object([("type", .string("string")), ("enum", .array([.string("v1")]))])),
        ConnectGetParameter(name: "encoding", description: "Connect GET form (required in it): the codec of message and answer; others are HTTP 415.",
                            schema: .object([("type", .string("string")), ("enum", .array(ConnectCodec.allCases.map { .string($0.rawValue) }))])),
        ConnectGetParameter(name: "message", description: "Connect GET form: the request message (proto3 JSON, or with base64=1 URL-safe base64 of the encoded, possibly compressed, message).",
                            schema: .object([("type", .string("string"))])),
        ConnectGetParameter(name: "base64", description: "Connect GET form: 1 when message is URL-safe base64 (padding optional).",
                            schema: .object([("type", .string("string")), ("enum", .array([.string("1")]))])),
        ConnectGetParameter(name: "compression", description: "Connect GET form: compression of message (identity or gzip; others are unimplemented).",
                            schema: .object([("type", .string("string")), ("enum", .array(ConnectCompression.allCases.map { .string($0.rawValue) }))])),
    ]
}
