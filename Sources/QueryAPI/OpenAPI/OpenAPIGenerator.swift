import Columnstore

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
            let errors: [(key: String, value: JSONValue)] = ConnectError.Code.all.map { code in
                (String(code.httpStatus), .object([("$ref", .string("#/components/responses/\(code.name)"))]))
            }.sorted { $0.key < $1.key }
            let ok: (key: String, value: JSONValue) = ("200", .object([
                ("description", .string("The \(responseName) message (proto3 JSON).")),
                ("content", .object([("application/json", .object([("schema", ref(responseName))]))])),
            ]))
            let parameters: JSONValue = .array([.object([("$ref", .string("#/components/parameters/tenant"))])])
            let post: JSONValue = .object([
                ("operationId", .string(method.name)),
                ("summary", .string("\(method.name) (Connect unary JSON)")),
                ("parameters", parameters),
                ("requestBody", .object([
                    ("required", .bool(false)),
                    ("content", .object([("application/json", .object([("schema", ref(requestName))]))])),
                ])),
                ("responses", .object([ok] + errors)),
            ])
            var queryParameters: [JSONValue] = [.object([("$ref", .string("#/components/parameters/tenant"))])]
            for field in method.requestFields {
                queryParameters.append(.object([
                    ("name", .string(field.name)),
                    ("in", .string("query")),
                    ("description", .string("Also accepted as \(field.jsonName).")),
                    ("required", .bool(field.hints?.isRequired ?? false)),
                    ("schema", fieldSchema(field, request: true)),
                ]))
            }
            let get: JSONValue = .object([
                ("operationId", .string(method.name + "Get")),
                ("summary", .string("\(method.name) with the request in the query string")),
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
        let responses: [(key: String, value: JSONValue)] = ConnectError.Code.all.map { code in
            (code.name, .object([
                ("description", .string("Connect error \(code.name) (HTTP \(code.httpStatus)).")),
                ("content", .object([("application/json", .object([("schema", ref("Error"))]))])),
            ]))
        }
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
                ]))])),
                ("securitySchemes", .object([("bearer", .object([
                    ("type", .string("http")), ("scheme", .string("bearer")),
                    ("description", .string("Required only when tokens are configured.")),
                ]))])),
            ])),
            ("security", .array([.object([]), .object([("bearer", .array([]))])])),
        ])
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
        case .rows(let field):
            return .object([("type", .string("object")), ("properties", .object([
                (ResponseEncoder.jsonName(field), .object([("type", .string("array")), ("items", ref(shortName(method.rowMessage)))])),
            ]))])
        case .single(let field):
            return .object([("type", .string("object")), ("properties", .object([
                (ResponseEncoder.jsonName(field), ref(shortName(method.rowMessage))),
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
        case .string, .bytes, .enumeration:
            members.append(("type", .string("string")))
            switch field.hints?.valueType {
            case .date?: members.append(("format", .string("date")))
            case .timestamp?: members.append(("format", .string("date-time")))
            default: break
            }
        case .timestamp:
            members.append(("type", .string("string")))
            members.append(("format", .string("date-time")))
        case .bool: members.append(("type", .string("boolean")))
        case .int32: integer("int32", asString: false)
        case .uint32: integer("uint32", asString: false)
        case .int64: integer("int64", asString: true)
        case .uint64: integer("uint64", asString: true)
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
