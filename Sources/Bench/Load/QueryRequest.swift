import Columnstore

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

    /// The same request in the protobuf binary format (the `application/proto` codec).
    func protoBody(_ method: QueryMethodSchema) -> [UInt8] {
        var bytes: [UInt8] = []
        func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }
        for (name, value) in fields {
            guard let number = method.requestFields.first(where: { $0.name == name })?.number else { continue }
            switch value {
            case .string(let s):
                varint(UInt64(number) << 3 | 2)
                varint(UInt64(s.utf8.count))
                bytes += Array(s.utf8)
            case .int(let v):
                varint(UInt64(number) << 3)
                varint(UInt64(bitPattern: v))
            }
        }
        return bytes
    }

    /// All bindings including the tenant, as the query API binds them.
    var bindings: [String: Value] {
        var all = Dictionary(fields, uniquingKeysWith: { $1 })
        all["tenant_id"] = .string(tenant)
        return all
    }
}
