extension ColumnValue {
    /// Strings are equal when their bytes are, as in both stores (see `String.hasSameBytes(as:)`); the
    /// other cases compare as Swift compares their payloads (so `-0.0 == 0.0` and NaN is unequal to itself,
    /// which `RowAccumulatorTests` pins).
    public static func == (lhs: ColumnValue, rhs: ColumnValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return x.hasSameBytes(as: y)
        case (.int64(let x), .int64(let y)): return x == y
        case (.uint64(let x), .uint64(let y)): return x == y
        case (.float64(let x), .float64(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.date(let x), .date(let y)): return x == y
        case (.timestamp(let x), .timestamp(let y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .string(let x):
            hasher.combine(1 as UInt8)
            x.hashBytes(into: &hasher)
        case .int64(let x): hasher.combine(2 as UInt8); hasher.combine(x)
        case .uint64(let x): hasher.combine(3 as UInt8); hasher.combine(x)
        case .float64(let x): hasher.combine(4 as UInt8); hasher.combine(x)
        case .bool(let x): hasher.combine(5 as UInt8); hasher.combine(x)
        case .date(let x): hasher.combine(6 as UInt8); hasher.combine(x)
        case .timestamp(let x): hasher.combine(7 as UInt8); hasher.combine(x)
        }
    }
}
