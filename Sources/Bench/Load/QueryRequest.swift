/// One query RPC call: the method, the tenant and the request fields (proto names).
struct QueryRequest: Sendable {
    enum Value: Sendable {
        case string(String)
        case int(Int64)
    }

    var method: String
    var tenant: String
    var fields: [(String, Value)]

    /// The Connect JSON body the query API takes.
    var jsonBody: [UInt8] {
        let members = fields.map { name, value -> String in
            switch value {
            case .string(let s): return "\"\(name)\":\"\(s)\""
            case .int(let v): return "\"\(name)\":\(v)"
            }
        }
        return Array(("{" + members.joined(separator: ",") + "}").utf8)
    }

    /// All bindings including the tenant, as the query API binds them.
    var bindings: [String: Value] {
        var all = Dictionary(fields, uniquingKeysWith: { $1 })
        all["tenant_id"] = .string(tenant)
        return all
    }
}
