import ClickHouseHTTP
import Columnstore
import LibPQ

/// One connection over which query requests are sent: to the query API, or straight to the store
/// with the same SQL (`sql/<store>/queries/<Method>.sql`) and the same bindings.
enum QueryTransport: Sendable {
    /// `proto`: send and receive the binary protobuf codec, with the field numbers of this service.
    case api(HTTPConnection, tenantHeader: String, servicePath: String, proto: QueryServiceSchema?)
    case clickhouse(ClickHouseClient, QueryCatalog)
    /// `prepared`: each statement is prepared once on the connection, as the query API does since 2026-12-04.
    case postgres(PostgresConnection, QueryCatalog, prepared: Bool)

    /// Sends `request`; returns the response body (JSON for the API and ClickHouse, rows as text for
    /// Postgres; empty when the API answers not_found).
    func send(_ request: QueryRequest) async throws -> [UInt8] {
        switch self {
        case .api(let connection, let header, let servicePath, let proto):
            let response: HTTPConnection.Response
            if let method = proto?.method(named: request.method) {
                response = try await connection.send(
                    path: "\(servicePath)/\(request.method)",
                    headers: [("Content-Type", "application/proto"), (header, request.tenant)], body: request.protoBody(method))
            } else {
                response = try await connection.send(
                    path: "\(servicePath)/\(request.method)",
                    headers: [("Content-Type", "application/json"), (header, request.tenant)], body: request.jsonBody)
            }
            // Connect's not_found (404) is an answer: "not there yet" for freshness probes.
            if response.status == 404 { return [] }
            guard response.status == 200 else {
                throw BenchError(.unexpectedResponse, operation: request.method,
                                 "query API answered \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
            }
            return response.body
        case .clickhouse(let client, let catalog):
            let query = try Self.prepared(request.method, in: catalog)
            let bindings = request.bindings
            var parameters: [String: String] = [:]
            for placeholder in query.placeholders {
                switch bindings[placeholder.name] {
                case .string(let s)?: parameters[placeholder.name] = s
                case .int(let v)?: parameters[placeholder.name] = String(v)
                case nil: throw BenchError(.invalidArgument, operation: request.method, "no value for \(placeholder.name)")
                }
            }
            // The settings the query API's ClickHouse executor sends with every query.
            let settings = [
                "max_execution_time": "10.000", "timeout_overflow_mode": "throw", "max_result_rows": "10000",
                "result_overflow_mode": "throw", "output_format_json_quote_64bit_integers": "1", "output_format_json_quote_denormals": "1",
                "readonly": "1",
            ]
            return try await client.query(query.sql + "\nFORMAT JSONCompact", parameters: parameters, settings: settings).body
        case .postgres(let connection, let catalog, let prepared):
            let query = try Self.prepared(request.method, in: catalog)
            let bindings = request.bindings
            let values: [PostgresValue] = try query.placeholders.map { placeholder in
                switch bindings[placeholder.name] {
                case .string(let s)?: return .text(s)
                case .int(let v)?: return .int64(v)
                case nil: throw BenchError(.invalidArgument, operation: request.method, "no value for \(placeholder.name)")
                }
            }
            let rows = prepared
                ? try await connection.query(query.sql, values, timeout: .seconds(60), maxRows: .max, maxBytes: .max, prepared: true)
                : try await connection.query(query.sql, values)
            var text: [UInt8] = []
            for row in rows {
                for column in 0..<rows.columns.count { text += Array((row[column] ?? "").utf8) + [9] }
                text.append(10)
            }
            return text
        }
    }

    func close() {
        if case .postgres(let connection, _, _) = self { connection.close() }
    }

    private static func prepared(_ method: String, in catalog: QueryCatalog) throws -> PreparedQuery {
        guard let query = catalog.queries[method] else {
            throw BenchError(.invalidArgument, operation: method, "no prepared query for \(method)")
        }
        return query
    }
}
