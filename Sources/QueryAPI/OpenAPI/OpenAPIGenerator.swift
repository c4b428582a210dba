import Columnstore
import Foundation

/// Builds the OpenAPI 3.1 document of a projection's query API from its schema. Deterministic:
/// the same schema and header name always give byte-identical output.
enum OpenAPIGenerator {
    static func document(schema: ProjectionSchema, tenantHeader: String = "x-tenant-id") -> JSONValue {
        guard let service = schema.queryService else {
            return .object([("openapi", .string("3.1.0")), ("info", info(schema)), ("paths", .object([]))])
        }
        var paths: [(key: String, value: JSONValue)] = []
        var schemas: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        func addSchema(_ name: String, _ value: JSONValue) {
            guard seen.insert(name).inserted else { return }
            schemas.append((name, value))
        }
        for method in service.methods {
            let requestName = shortName(method.requestMessage)
            let responseName = shortName(method.responseMessage)
            addSchema(requestName, requestSchema(method))
            if method.rowMessage != method.responseMessage { addSchema(shortName(method.rowMessage), rowSchema(method)) }
            addSchema(responseName, responseSchema(method))
            var errors: [(key: String, value: JSONValue)] = ConnectError.Code.all.map { code in
                (String(code.httpStatus), .object([("$ref", .string("#/components/responses/\(code.name)"))]))
            }
            errors.append(("415", .object([("$ref", .string("#/components/responses/unsupported_media_type"))])))
            errors.sort { $0.key < $1.key }
            let ok: (key: String, value: JSONValue) = ("200", .object([
                ("description", .string("The \(responseName) message, in the request's codec (gzip-compressed when Accept-Encoding allows and it is 1 KiB or more).")),
                ("content", .object(messageContent(responseName))),
            ]))
            let common: [JSONValue] = ["tenant", "connectProtocolVersion", "connectTimeoutMs"].map {
                .object([("$ref", .string("#/components/parameters/\($0)"))])
            }
            let isRequired = method.requestFields.contains { $0.hints?.isRequired == true }
            let post: JSONValue = .object([
                ("operationId", .string(method.name)),
                ("summary", .string("\(method.name) (Connect unary, JSON or binary protobuf)")),
                ("parameters", .array(common + [.object([("$ref", .string("#/components/parameters/contentEncoding"))])])),
                ("requestBody", .object([
                    ("required", .bool(isRequired)),
                    ("description", .string("The \(requestName) message: proto3 JSON (application/json) or the protobuf binary format (application/proto), optionally gzip-compressed (Content-Encoding: gzip).")),
                    ("content", .object(messageContent(requestName))),
                ])),
                ("responses", .object([ok] + errors)),
            ])
            // GET (Connect's GET form, or one query item per field) only for side-effect-free methods.
            guard method.hasNoSideEffects else {
                paths.append((QueryServer.routePath(service: service, method: method), .object([("post", post)])))
                continue
            }
            var queryParameters: [JSONValue] = common + ConnectGetParameter.all.map { .object([("$ref", .string("#/components/parameters/\($0.component)"))]) }
            for field in method.requestFields {
                queryParameters.append(.object([
                    ("name", .string(field.name)),
                    ("in", .string("query")),
                    ("description", .string("Plain form only (without `encoding`/`message`): the field's value; also accepted as \(field.jsonName).\(field.hints?.isRequired == true ? " Required in the plain form." : "")")),
                    ("required", .bool(false)),
                    ("schema", fieldSchema(field, request: true)),
                ]))
            }
            let get: JSONValue = .object([
                ("operationId", .string(method.name + "Get")),
                ("summary", .string("\(method.name) by GET (the method has no side effects)")),
                ("description", .string("Two forms. Connect's GET form: `encoding` (json or proto) and `message` (the \(requestName) message; URL-safe base64 with `base64=1`, required for proto; gzip with `compression=gzip`), optionally `connect=v1`; the answer is in that codec. The plain form: one query item per request field, answered in JSON.")),
                ("parameters", .array(queryParameters)),
                ("responses", .object([ok] + errors)),
            ])
            paths.append((QueryServer.routePath(service: service, method: method), .object([("get", get), ("post", post)])))
        }
        schemas.append(("Error", .object([
            ("type", .string("object")),
            ("required", .array([.string("code"), .string("message")])),
            ("properties", .object([
                ("code", .object([("type", .string("string")), ("enum", .array(ConnectError.Code.all.map { .string($0.name) }))])),
                ("message", .object([("type", .string("string"))])),
            ])),
        ])))
        var responses: [(key: String, value: JSONValue)] = ConnectError.Code.all.map { code in
            (code.name, .object([
                ("description", .string("Connect error \(code.name) (HTTP \(code.httpStatus)); error bodies are JSON for both codecs.")),
                ("content", .object([("application/json", .object([("schema", ref("Error"))]))])),
            ]))
        }
        responses.append(("unsupported_media_type", .object([
            ("description", .string("Unsupported codec (Content-Type, or a GET's encoding): the Accept-Post header lists \(ConnectCodec.acceptPost).")),
            ("headers", .object([("Accept-Post", .object([("schema", .object([("type", .string("string"))]))]))])),
            ("content", .object([("application/json", .object([("schema", ref("Error"))]))])),
        ])))
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", info(schema)),
            ("paths", .object(paths)),
            ("components", .object([
                ("schemas", .object(schemas)),
                ("responses", .object(responses)),
                ("parameters", .object([("tenant", .object([
                    ("name", .string(tenantHeader)),
                    ("in", .string("header")),
                    ("required", .bool(true)),
                    ("description", .string("Tenant whose rows are read (required when multi-tenancy is on).")),
                    ("schema", .object([("type", .string("string")), ("minLength", .number("1")), ("maxLength", .number(String(AccessPolicy.maxTenantBytes)))])),
                ]))] + headerParameters() + ConnectGetParameter.all.map { ($0.component, $0.document) })),
                ("securitySchemes", .object([("bearer", .object([
                    ("type", .string("http")), ("scheme", .string("bearer")),
                    ("description", .string("Required only when tokens are configured.")),
                ]))])),
            ])),
            ("security", .array([.object([]), .object([("bearer", .array([]))])])),
        ])
    }

    /// A message in either codec: proto3 JSON by its schema, or the protobuf binary format.
    private static func messageContent(_ name: String) -> [(key: String, value: JSONValue)] {
        [
            ("application/json", .object([("schema", ref(name))])),
            ("application/proto", .object([("schema", .object([
                ("type", .string("string")), ("format", .string("binary")),
                ("description", .string("The \(name) message in the protobuf binary format (see the proto).")),
            ]))])),
        ]
    }

    private static func headerParameters() -> [(key: String, value: JSONValue)] {
        func header(_ name: String, _ description: String, _ schema: JSONValue) -> JSONValue {
            .object([("name", .string(name)), ("in", .string("header")), ("required", .bool(false)),
                     ("description", .string(description)), ("schema", schema)])
        }
        return [
            ("connectProtocolVersion", header("Connect-Protocol-Version", "Connect protocol version; optional, 1 when given.",
                                              .object([("type", .string("string")), ("enum", .array([.string("1")]))]))),
            ("connectTimeoutMs", header("Connect-Timeout-Ms", "The client's deadline in milliseconds (1 to 10 digits); the answer is deadline_exceeded once it passes. The server's query timeout applies as well.",
                                        .object([("type", .string("string")), ("pattern", .string("^[0-9]{1,\(ConnectRequestOptions.maxTimeoutDigits)}$"))]))),
            ("contentEncoding", header("Content-Encoding", "Compression of the request body: identity or gzip (others are unimplemented). Its decompressed size counts against the body limit.",
                                       .object([("type", .string("string")), ("enum", .array(ConnectCompression.allCases.map { .string($0.rawValue) }))]))),
        ]
    }

    /// The document as committed and served: pretty, with a trailing newline.
    static func render(schema: ProjectionSchema, tenantHeader: String = "x-tenant-id") -> String {
        JSONWriter.writePretty(document(schema: schema, tenantHeader: tenantHeader))
    }

    private static func info(_ schema: ProjectionSchema) -> JSONValue {
        .object([
            ("title", .string("\(schema.name) query API")),
            ("version", .string(schema.queryService?.fullName ?? schema.name)),
            ("description", .string("Generated from the projection's proto by `projection-query openapi`; do not edit.")),
        ])
    }

    private static func ref(_ name: String) -> JSONValue {
        .object([("$ref", .string("#/components/schemas/\(name)"))])
    }

    static func shortName(_ fullName: String) -> String {
        fullName.split(separator: ".").last.map(String.init) ?? fullName
    }

    private static func requestSchema(_ method: QueryMethodSchema) -> JSONValue {
        var properties: [(key: String, value: JSONValue)] = []
        for field in method.requestFields { properties.append((field.jsonName, fieldSchema(field, request: true))) }
        let required = method.requestFields.filter { $0.hints?.isRequired == true }.map { JSONValue.string($0.jsonName) }
        var members: [(key: String, value: JSONValue)] = [("type", .string("object"))]
        if !required.isEmpty { members.append(("required", .array(required))) }
        members.append(("properties", .object(properties)))
        members.append(("additionalProperties", .bool(false)))
        members.append(("description", .string("Proto field names (snake_case) are accepted as well as these JSON names.")))
        return .object(members)
    }

    private static func rowSchema(_ method: QueryMethodSchema) -> JSONValue {
        var properties: [(key: String, value: JSONValue)] = []
        for field in method.rowFields { properties.append((field.jsonName, fieldSchema(field, request: false))) }
        return .object([("type", .string("object")), ("properties", .object(properties))])
    }

    private static func responseSchema(_ method: QueryMethodSchema) -> JSONValue {
        switch method.response {
        case .rows:
            return .object([("type", .string("object")), ("properties", .object([
                (method.responseFieldJSONName, .object([("type", .string("array")), ("items", ref(shortName(method.rowMessage)))])),
            ]))])
        case .single:
            return .object([("type", .string("object")), ("properties", .object([
                (method.responseFieldJSONName, ref(shortName(method.rowMessage))),
            ]))])
        case .message:
            return rowSchema(method)
        }
    }

    static func fieldSchema(_ field: QueryFieldSchema, request: Bool) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        func integer(_ format: String, asString: Bool) {
            if asString {
                // proto3 JSON: 64-bit integers are strings in responses; requests accept both forms.
                members.append(("type", request ? .array([.string("string"), .string("integer")]) : .string("string")))
            } else {
                members.append(("type", .string("integer")))
            }
            members.append(("format", .string(format)))
        }
        switch field.type {
        case .bytes:
            // proto3 JSON: bytes are base64 (OpenAPI's `byte` format).
            members.append(("type", .string("string")))
            members.append(("format", .string("byte")))
        case .enumeration(let name):
            // Names in answers; requests also take a value's number.
            members.append(("type", request ? .array([.string("string"), .string("integer")]) : .string("string")))
            let names = field.enumNames.sorted { $0.key < $1.key }.map { JSONValue.string($0.value) }
            members.append(("enum", .array(request ? names + field.enumNames.keys.sorted().map { .number(String($0)) } : names)))
            members.append(("description", .string("A value of \(name): its name\(request ? " or number" : "").")))
        case .string:
            members.append(("type", .string("string")))
            switch field.hints?.valueType {
            case .date?:
                members.append(("format", .string("date")))
                members.append(("description", .string("A date from \(RequestDecoder.dateRangeText), YYYY-MM-DD.")))
            case .timestamp?:
                members.append(("format", .string("date-time")))
                members.append(("description", .string("An RFC 3339 timestamp from \(RequestDecoder.timestampRangeText).")))
            default: break
            }
        case .timestamp:
            members.append(("type", .string("string")))
            members.append(("format", .string("date-time")))
            // Requests are checked against the request range; answers hold the column's domain.
            members.append(("description", .string("An RFC 3339 timestamp from \(request ? RequestDecoder.timestampRangeText : ValueDomain.timestampRangeText.replacingOccurrences(of: " ... ", with: " to ")).")))
        case .bool: members.append(("type", .string("boolean")))
        case .int32: integer("int32", asString: false)
        case .uint32: integer("uint32", asString: false)
        case .int64: integer("int64", asString: true)
        case .uint64:
            integer("uint64", asString: true)
            if request {
                // Both stores hold uint64 values up to 2^63-1 (Postgres has no unsigned bigint); larger ones are refused.
                members.append(("description", .string("An unsigned integer up to \(RequestDecoder.maxUInt64), the largest both stores hold.")))
            }
        case .float: members.append(("type", .string("number"))); members.append(("format", .string("float")))
        case .double: members.append(("type", .string("number"))); members.append(("format", .string("double")))
        case .message(let name): members.append(("$ref", .string("#/components/schemas/\(shortName(name))")))
        }
        if let hints = field.hints {
            if let minimum = hints.minimum { members.append(("minimum", .number(String(minimum)))) }
            if let maximum = hints.maximum { members.append(("maximum", .number(String(maximum)))) }
            if let value = hints.defaultValue { members.append(("default", .number(String(value)))) }
        }
        return .object(members)
    }
}
