/// The pure part of the state hash: orders rows canonically, renders and digests them. No I/O.
public enum StateHasher {
    /// The hash of one tenant's rows of a table. `rows` hold the layout's hashed columns in order, as
    /// a reader returns them; their order does not matter: they are sorted by the layout's order
    /// columns (then by their whole canonical line, for tables without a unique key).
    public static func hash(_ rows: [[ColumnValue]], tenant: String, layout: StateHashLayout) throws -> TenantStateHash {
        let order = layout.orderIndices.map { ($0, layout.columns[$0].type) }
        let sorted = rows.sorted { a, b in
            for (index, type) in order {
                let comparison = compare(a[index], b[index], as: type)
                if comparison != 0 { return comparison < 0 }
            }
            return false
        }
        // In key order now; the stream orders rows with equal keys by their lines and renders them.
        var stream = StateHashStream(layout: layout, tenant: tenant)
        try stream.add(sorted)
        return stream.finish()
    }

    /// The table's entry: tenants sorted by their UTF-8 bytes, and the combined digest over them.
    public static func combine(_ tenants: [TenantStateHash], layout: StateHashLayout) -> TableStateHash {
        let sorted = tenants.sorted { $0.tenant.utf8.lexicographicallyPrecedes($1.tenant.utf8) }
        var text = layout.header
        for tenant in sorted {
            text += "\(StateHashCanonicalForm.escape(tenant.tenant))\t\(tenant.rowCount)\t\(tenant.digest)\n"
        }
        return TableStateHash(layout: layout, tenants: sorted, digest: SHA256.hexDigest(Array(text.utf8)))
    }

    /// Key order: NULL first; numbers, dates and timestamps by value; strings by their UTF-8 bytes
    /// (as ClickHouse and Postgres' "C" collation sort them); decimals by value, then by text.
    static func compare(_ a: ColumnValue, _ b: ColumnValue, as type: ColumnType) -> Int {
        func order<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        case (.string(let x), .string(let y)):
            if case .decimal = type, let dx = Double(x), let dy = Double(y), dx != dy { return order(dx, dy) }
            if x.utf8.elementsEqual(y.utf8) { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.int64(let x), .int64(let y)): return order(x, y)
        case (.uint64(let x), .uint64(let y)): return order(x, y)
        case (.int64(let x), .uint64(let y)): return x < 0 ? -1 : order(UInt64(x), y)
        case (.uint64(let x), .int64(let y)): return y < 0 ? 1 : order(x, UInt64(y))
        case (.float64(let x), .float64(let y)):
            if x.isNaN || y.isNaN { return order(x.isNaN ? 1 : 0, y.isNaN ? 1 : 0) }
            return order(x, y)
        case (.bool(let x), .bool(let y)): return order(x ? 1 : 0, y ? 1 : 0)
        case (.date(let x), .date(let y)): return order(x, y)
        case (.timestamp(let x), .timestamp(let y)): return order(x, y)
        default: return 0
        }
    }

    /// Whether a measure value is zero (SummingMergeTree's test for dropping a row).
    static func isZero(_ value: ColumnValue) -> Bool {
        switch value {
        case .int64(let v): return v == 0
        case .uint64(let v): return v == 0
        case .float64(let v): return v == 0
        case .string(let text): return StateHashCanonicalForm.decimal(text, scale: 0).map { $0.allSatisfy { $0 == "0" || $0 == "." } } ?? false
        default: return false
        }
    }
}
