import Foundation

/// The prepared queries of a projection's query service for one store, loaded from
/// `<sqlDirectory>/<store>/queries/<Method>.sql` and checked against the request messages.
public struct QueryCatalog: Sendable {
    public let store: StoreKind
    /// Prepared queries by RPC name.
    public let queries: [String: PreparedQuery]

    public init(store: StoreKind, queries: [String: PreparedQuery]) {
        self.store = store
        self.queries = queries
    }

    /// Loads and checks the query file of every RPC; the first problem is thrown.
    public static func load(service: QueryServiceSchema, store: StoreKind, sqlDirectory: String) throws -> QueryCatalog {
        var queries: [String: PreparedQuery] = [:]
        for method in service.methods {
            let path = filePath(for: method, store: store, sqlDirectory: sqlDirectory)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw QueryCatalogError(.missingFile, method: method.name, path: path, "no query file for store \(store.rawValue); create it")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw QueryCatalogError(.invalidSQL, method: method.name, path: path, "the file is not UTF-8")
            }
            queries[method.name] = try prepare(method: method, store: store, text: text, path: path)
        }
        return QueryCatalog(store: store, queries: queries)
    }

    /// `<sqlDirectory>/<store>/queries/<Method>.sql`; an explicit `(projection.v1.query).sql` stem
    /// replaces the RPC name.
    public static func filePath(for method: QueryMethodSchema, store: StoreKind, sqlDirectory: String) -> String {
        let stem = method.sqlName == SchemaNaming.snakeCase(method.name) ? method.name : method.sqlName
        return "\(sqlDirectory)/\(store.rawValue)/queries/\(stem).sql"
    }

    /// Parses one query file and checks its placeholders against the request message: exactly
    /// the request fields plus `tenant_id`, with compatible ClickHouse types. Request and row
    /// fields must be scalars.
    public static func prepare(method: QueryMethodSchema, store: StoreKind, text: String, path: String) throws -> PreparedQuery {
        func mismatch(_ reason: String) -> QueryCatalogError {
            QueryCatalogError(.parameterMismatch, method: method.name, path: path, reason)
        }
        let scan: QueryTemplate.Scan
        do {
            scan = try QueryTemplate.scan(text, store: store)
        } catch {
            var located = error
            located.method = method.name
            located.path = path
            throw located
        }
        var fields: [String: QueryFieldSchema] = [:]
        for field in method.requestFields {
            guard field.name != PreparedQuery.tenantParameter else {
                throw QueryCatalogError(.unsupportedField, method: method.name, path: path,
                    "request field '\(field.name)' is reserved: the tenant comes only from the tenant header")
            }
            guard !field.isRepeated, Self.isScalar(field.type) else {
                throw QueryCatalogError(.unsupportedField, method: method.name, path: path,
                    "request field '\(field.name)' must be a scalar (not repeated, not a message)")
            }
            fields[field.name] = field
        }
        // An answer writes one value per column: a repeated or message row field would fail every answer.
        for field in method.rowFields where field.isRepeated || !Self.isScalar(field.type) {
            throw QueryCatalogError(.unsupportedField, method: method.name, path: path,
                "row field '\(field.name)' of \(method.rowMessage) must be a scalar (not repeated, not a message): a column holds one value")
        }
        let used = Set(scan.placeholders.map(\.name))
        guard used.contains(PreparedQuery.tenantParameter) else {
            let hint = store == .clickhouse ? "{tenant_id:String}" : "{tenant_id}"
            throw mismatch("the query must filter by the tenant: use \(hint)")
        }
        guard scan.tenantOutsideEquality == 0 else {
            let hint = store == .clickhouse ? "{tenant_id:String}" : "{tenant_id}"
            throw mismatch("the tenant placeholder may appear only as <tenant column> = \(hint) (not in a SELECT list, under LIKE or in a function): "
                + "anything else can read other tenants' rows")
        }
        for placeholder in scan.placeholders where placeholder.name != PreparedQuery.tenantParameter {
            guard let field = fields[placeholder.name] else {
                throw mismatch("placeholder '\(placeholder.name)' is not a field of \(method.requestMessage)")
            }
            if let type = placeholder.storeType, !clickHouseType(type, fits: field) {
                throw mismatch("placeholder '\(placeholder.name)' has ClickHouse type \(type), which does not fit request field '\(field.name)'")
            }
            if let type = placeholder.storeType, let precision = dateTime64Precision(type), precision > 8 {
                throw mismatch("placeholder '\(placeholder.name)' has ClickHouse type \(type): DateTime64(9) ends in 2262, "
                    + "before the timestamps requests may carry (to 2299-12-31); use DateTime64(3)")
            }
            if let type = placeholder.storeType, field.absentBindsNull, !isNullable(type) {
                // ClickHouse cannot parse NULL (`\N`) as a plain Date or DateTime64 (CANNOT_PARSE_DATE, a 500 on
                // every request without the field); Postgres would compare with NULL. Nullable makes both agree.
                throw mismatch("placeholder '\(placeholder.name)' must be Nullable(\(type)): request field '\(field.name)' is not required, "
                    + "so a request without it binds NULL (mark the field required, or write {\(placeholder.name):Nullable(\(type))})")
            }
        }
        if let tenant = scan.placeholders.first(where: { $0.name == PreparedQuery.tenantParameter }),
           let type = tenant.storeType, type != "String", type != "LowCardinality(String)" {
            throw mismatch("placeholder 'tenant_id' must be typed String")
        }
        for field in method.requestFields where !used.contains(field.name) {
            let hint = store == .clickhouse ? "{\(field.name):Type}" : "{\(field.name)}"
            throw mismatch("request field '\(field.name)' is not used by the query; bind it with \(hint)")
        }
        return PreparedQuery(method: method.name, store: store, path: path, sql: scan.sql, placeholders: scan.placeholders)
    }

    static func isScalar(_ type: QueryFieldType) -> Bool {
        switch type {
        case .message: return false
        default: return true
        }
    }

    /// Whether a placeholder type is `Nullable(T)` (also under `LowCardinality`).
    static func isNullable(_ raw: String) -> Bool {
        var type = Substring(raw)
        while let (name, arguments) = ClickHouseTypeName.split(type), arguments.count >= 1 {
            if name == "Nullable" { return true }
            guard name == "LowCardinality", arguments.count == 1 else { return false }
            type = arguments[0]
        }
        return false
    }

    /// The precision of a `DateTime64(P[, zone])` placeholder type (under its wrappers); nil for other types.
    static func dateTime64Precision(_ raw: String) -> Int? {
        guard let (name, arguments) = ClickHouseTypeName.split(Substring(ClickHouseTypeName.base(raw))),
              name == "DateTime64", let first = arguments.first else { return nil }
        return Int(first)
    }

    /// Whether a ClickHouse placeholder type can hold every valid value of the field.
    static func clickHouseType(_ raw: String, fits field: QueryFieldSchema) -> Bool {
        let type = ClickHouseTypeName.base(raw)
        switch field.type {
        case .string:
            switch field.hints?.valueType {
            case .date?: return type == "Date" || type == "Date32"
            case .timestamp?: return type.hasPrefix("DateTime64")
            default: return type == "String"
            }
        case .bytes, .enumeration: return type == "String"
        case .bool: return type == "Bool"
        case .int32: return ["Int32", "Int64"].contains(type)
        case .uint32: return ["UInt32", "UInt64", "Int64"].contains(type)
        case .int64: return type == "Int64"
        case .uint64: return type == "UInt64"
        case .float, .double: return type == "Float64" || (field.type == .float && type == "Float32")
        case .timestamp: return type.hasPrefix("DateTime64")
        case .message: return false
        }
    }
}
