extension ColumnType {
    /// The Postgres type a column of this type is stored as (and batch arrays are cast to).
    public var postgresTypeName: String {
        switch self {
        case .string: "text"
        case .int32: "integer"
        case .int64: "bigint"
        case .uint64: "numeric(20,0)"
        case .float64: "double precision"
        case .bool: "boolean"
        case .date: "date"
        case .timestamp: "timestamptz"
        case .decimal(let p, let s): "numeric(\(p),\(s))"
        }
    }
}
