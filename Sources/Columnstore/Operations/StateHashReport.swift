/// What `projection-migrate hash` prints and `GET /admin/hash` answers: text for people, JSON for
/// scripts that compare two stores or two runs.
public struct StateHashReport: Sendable {
    public var store: StoreKind
    /// The redacted DSN.
    public var location: String
    public var projection: String
    public var tables: [TableStateHash]

    public init(store: StoreKind, location: String, projection: String, tables: [TableStateHash]) {
        self.store = store
        self.location = location
        self.projection = projection
        self.tables = tables
    }

    public var text: String {
        var lines = ["hash: \(store.rawValue) at \(location), projection \(projection) (\(StateHashCanonicalForm.version))"]
        for table in tables {
            let tenants = table.tenants.count == 1 ? "1 tenant" : "\(table.tenants.count) tenants"
            lines.append("table \(table.table): \(Self.rows(table.rowCount)), \(tenants), sha256 \(table.digest)")
            let names = table.tenants.map { StateHashCanonicalForm.escape($0.tenant) }
            let width = max(names.map(\.count).max() ?? 0, 6)
            let counts = table.tenants.map { String($0.rowCount) }
            let countWidth = counts.map(\.count).max() ?? 1
            for (index, tenant) in table.tenants.enumerated() {
                let name = names[index].padding(toLength: width, withPad: " ", startingAt: 0)
                let count = String(repeating: " ", count: countWidth - counts[index].count) + counts[index]
                lines.append("  \(name)  \(count)  \(tenant.digest)")
            }
            for exclusion in table.layout.excluded {
                lines.append("  not hashed: \(exclusion.column) (\(exclusion.reason))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: String {
        let tables = tables.map { table -> JSONValue in
            .object([
                ("table", .string(table.table)),
                ("rows", .number(String(table.rowCount))),
                ("sha256", .string(table.digest)),
                ("columns", .array(table.layout.columns.map { .string($0.name) })),
                ("excluded", .array(table.layout.excluded.map {
                    .object([("column", .string($0.column)), ("reason", .string($0.reason))])
                })),
                ("tenants", .array(table.tenants.map {
                    .object([("tenant", .string($0.tenant)), ("rows", .number(String($0.rowCount))), ("sha256", .string($0.digest))])
                })),
            ])
        }
        return JSONWriter.writePretty(.object([
            ("store", .string(store.rawValue)),
            ("location", .string(location)),
            ("projection", .string(projection)),
            ("canonical_form", .string(StateHashCanonicalForm.version)),
            ("tables", .array(tables)),
        ]))
    }

    static func rows(_ count: Int) -> String { count == 1 ? "1 row" : "\(count) rows" }
}
