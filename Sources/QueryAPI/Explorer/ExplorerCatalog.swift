import Columnstore

/// The explorer's description of the query API, served as `GET /explorer/catalog.json`: each RPC's
/// route, its request fields with their types and limits (the OpenAPI generator's field schemas) and
/// its row columns, marking the ones a chart can use as its axis (a day, an hour or a timestamp).
enum ExplorerCatalog {
    static func document(service: QueryServiceSchema, tenantHeader: String, multiTenant: Bool, tokensRequired: Bool) -> JSONValue {
        let methods: [JSONValue] = service.methods.map { method in
            let responseKey: JSONValue
            switch method.response {
            case .rows: responseKey = .object([("kind", .string("rows")), ("field", .string(method.responseFieldJSONName))])
            case .single: responseKey = .object([("kind", .string("single")), ("field", .string(method.responseFieldJSONName))])
            case .message: responseKey = .object([("kind", .string("message"))])
            }
            return .object([
                ("name", .string(method.name)),
                ("path", .string(QueryServer.routePath(service: service, method: method))),
                ("get", .bool(method.hasNoSideEffects)),
                ("request", .array(method.requestFields.map { field in
                    .object([
                        ("name", .string(field.name)),
                        ("json_name", .string(field.jsonName)),
                        ("required", .bool(field.hints?.isRequired == true)),
                        ("repeated", .bool(field.isRepeated)),
                        ("schema", OpenAPIGenerator.fieldSchema(field, request: true)),
                    ])
                })),
                ("response", responseKey),
                ("columns", .array(method.rowFields.map { field in
                    var members: [(key: String, value: JSONValue)] = [("name", .string(field.name)), ("json_name", .string(field.jsonName))]
                    if let axis = axis(field) { members.append(("axis", .string(axis))) }
                    return .object(members)
                })),
            ])
        }
        return .object([
            ("service", .string(service.fullName)),
            ("tenant_header", .string(tenantHeader)),
            ("multi_tenant", .bool(multiTenant)),
            ("tokens_required", .bool(tokensRequired)),
            ("methods", .array(methods)),
        ])
    }

    /// A column a chart's x axis can use: `day` (YYYY-MM-DD), `hour` or `time` (RFC 3339), by type and name.
    static func axis(_ field: QueryFieldSchema) -> String? {
        let name = field.name.lowercased()
        let isDayName = name == "day" || name == "date" || name.hasSuffix("_day") || name.hasSuffix("_date")
        let isHourName = name == "hour" || name.hasSuffix("_hour")
        switch field.type {
        case .timestamp:
            return isHourName ? "hour" : (isDayName ? "day" : "time")
        case .string:
            if field.hints?.valueType == .date || isDayName { return "day" }
            if field.hints?.valueType == .timestamp { return isHourName ? "hour" : "time" }
            return isHourName ? "hour" : nil
        default:
            return nil
        }
    }
}
